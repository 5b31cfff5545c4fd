#!/usr/bin/env bash
# kafka-run-class.sh CLASS [ARGS...]: run one Apache Kafka tool class from the jars
# newsflow assembles from Maven Central (dev/kafka/pom.xml), the way Kafka's own
# bin/kafka-run-class.sh does in a downloaded distribution.
#
# The lib folder is the one the broker uses: `python -m newsflow.brokers jars` names
# it ($NEWSFLOW_KAFKA_LIB, else dev/kafka/lib of this checkout) and runs mvn first
# when it is missing or incomplete, so the folder rule lives in one place
# (newsflow/brokers/kafka.py).  Python is this checkout's .venv if there is one,
# else $NEWSFLOW_PYTHON or python3; newsflow.brokers needs only the standard library.
#
# JAVA_HOME, KAFKA_HEAP_OPTS (default -Xmx256m) and KAFKA_OPTS mean what they mean
# to Kafka's own scripts. Logging goes to stderr at WARN (dev/kafka/tools-log4j.properties)
# unless KAFKA_LOG4J_OPTS says otherwise.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $(basename "$0") CLASS [ARGS...]" >&2
  exit 2
fi
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
repo=$(cd "$here/../../.." && pwd)

if [ -n "${NEWSFLOW_PYTHON:-}" ]; then
  python=$NEWSFLOW_PYTHON
elif [ -x "$repo/.venv/bin/python" ]; then
  python=$repo/.venv/bin/python
else
  python=python3
fi
if ! lib=$(PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}" "$python" -m newsflow.brokers jars); then
  echo "$(basename "$0"): could not assemble the Kafka jars (see above)" >&2
  exit 1
fi

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java=$JAVA_HOME/bin/java
else
  java=java
fi
read -r -a heap_opts <<< "${KAFKA_HEAP_OPTS:--Xmx256m}"
read -r -a log_opts <<< "${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$here/../tools-log4j.properties}"
read -r -a extra_opts <<< "${KAFKA_OPTS:-}"

# The quoted wildcard is expanded by the JVM, not the shell (every jar in lib).
exec "$java" "${heap_opts[@]}" "${log_opts[@]}" "${extra_opts[@]}" -cp "$lib/*" "$@"

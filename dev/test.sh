#!/usr/bin/env bash
# The README's test command (`make test`) and what CI runs: lint, start the
# services the tests need (Apache Kafka in KRaft mode, PostgreSQL) unless the
# caller already points at running ones, run pytest, stop what was started.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"
# The compiled parse passes are part of the build under test (see tests/unit/test_compiled_required.py).
export NEWSFLOW_REQUIRE_COMPILED=1
STATE=${NEWSFLOW_TEST_STATE:-$PWD/var/test}
mkdir -p "$STATE"

echo "== lint"
ruff check .
ruff format --check .
mypy

started_kafka=0
started_pg=0
cleanup() {
  if [ "$started_kafka" = 1 ]; then
    NEWSFLOW_DATA_DIR="$STATE" NEWSFLOW_BROKER="$NEWSFLOW_TEST_BROKER" \
      newsflow broker stop --kind kafka || true
  fi
  if [ "$started_pg" = 1 ]; then
    bash dev/postgres.sh stop --dir "$STATE/postgres" || true
  fi
}
trap cleanup EXIT

if [ -z "${NEWSFLOW_TEST_BROKER:-}" ]; then
  echo "== Apache Kafka (KRaft) from Maven Central"
  export NEWSFLOW_TEST_BROKER="kafka://127.0.0.1:${NEWSFLOW_TEST_KAFKA_PORT:-19092}"
  NEWSFLOW_DATA_DIR="$STATE" NEWSFLOW_BROKER="$NEWSFLOW_TEST_BROKER" \
    newsflow broker start --kind kafka
  started_kafka=1
fi

if [ -z "${NEWSFLOW_TEST_POSTGRES_URL:-}" ]; then
  echo "== PostgreSQL"
  NEWSFLOW_TEST_POSTGRES_URL=$(bash dev/postgres.sh start --dir "$STATE/postgres" | tail -n 1)
  export NEWSFLOW_TEST_POSTGRES_URL
  started_pg=1
fi

echo "== pytest"
set +e
python -m pytest "$@"
code=$?
set -e
if [ "$code" = 5 ]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
if [ "$code" != 0 ]; then
  exit "$code"
fi

# Quality gate: extraction must not fall below the floors pinned in
# bench/floors.json (raising a floor is a deliberate commit). Speed is measured
# by `make bench`, never gated here: it depends on the machine.
if [ -d ../shared/corpus ]; then
  echo "== extraction quality gate"
  python bench/extract.py --no-speed --floors bench/floors.json > "$STATE/bench-gate.md"
  tail -n 1 "$STATE/bench-gate.md"
else
  echo "== extraction quality gate skipped: ../shared/corpus not found" >&2
fi
# The same for entities: dev-split F1 of each layer (bench/entity_floors.json).
if [ -d ../shared/ner ]; then
  echo "== entity quality gate"
  python bench/entities.py --no-speed --floors bench/entity_floors.json > "$STATE/entities-gate.md"
  tail -n 1 "$STATE/entities-gate.md"
else
  echo "== entity quality gate skipped: ../shared/ner not found" >&2
fi

#!/usr/bin/env bash
# Kafka's kafka-topics.sh (topics: list, describe, create, alter, delete), run from newsflow's
# Maven-assembled jars by kafka-run-class.sh beside this file.
exec "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"

#!/usr/bin/env bash
# Kafka's kafka-consumer-groups.sh (consumer groups: list, describe (offsets and lag), reset offsets, delete), run from newsflow's
# Maven-assembled jars by kafka-run-class.sh beside this file.
exec "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"

#!/bin/sh
# Creates Nodeloom's three Kafka topics when they are missing, with the partition count and
# replication factor this cluster needs (Nodeloom itself would create them with one
# replica, which a cluster requiring min.insync.replicas=2 refuses to write to).
# Runs in the apache/kafka image, before the API and the workers start.
set -eu
servers="${NODELOOM_KAFKA_BOOTSTRAP_SERVERS:?NODELOOM_KAFKA_BOOTSTRAP_SERVERS is not set}"
existing=$(/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$servers" --list)
for topic in nodeloom.run-requests nodeloom.run-events nodeloom.run-control; do
  name="${NODELOOM_KAFKA_NAMESPACE:-}${topic}"
  if ! printf '%s\n' "$existing" | grep -qx "$name"; then
    /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$servers" --create --if-not-exists \
      --topic "$name" --partitions "${KAFKA_TOPIC_PARTITIONS:-8}" \
      --replication-factor "${KAFKA_TOPIC_REPLICATION_FACTOR:-1}"
  fi
done
echo "Kafka topics are in place on $servers"

#!/bin/bash
# Apache Kafka (KRaft, broker + controller) in the place of Redpanda.
#   kafka-server --advertise-internal HOST:PORT --advertise-external HOST:PORT [--data-dir DIR]
# Listeners: INTERNAL 0.0.0.0:9092 (the compose network), EXTERNAL 0.0.0.0:19092 (published on the host),
# the controller on 127.0.0.1:9093. The broker's log also goes to /tmp/kafka-server.log, which kafka-ready reads.
set -euo pipefail
internal=redpanda:9092 external=127.0.0.1:19092 data=/var/lib/redpanda/data
while [ $# -gt 0 ]; do
  case "$1" in
    --advertise-internal) internal="$2"; shift 2 ;;
    --advertise-external) external="$2"; shift 2 ;;
    --data-dir) data="$2"; shift 2 ;;
    *) echo "kafka-server: unknown argument $1" >&2; exit 2 ;;
  esac
done
conf=/tmp/kafka-conf && mkdir -p "$conf" "$data"
cat >"$conf/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=INTERNAL://0.0.0.0:9092,EXTERNAL://0.0.0.0:19092,CONTROLLER://127.0.0.1:9093
advertised.listeners=INTERNAL://${internal},EXTERNAL://${external}
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
log.dirs=${data}
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
cat >"$conf/log4j2.properties" <<'LOG'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = /tmp/kafka-server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
rootLogger.appenderRef.file.ref = FILE
logger.state.name = state.change.logger
logger.state.level = WARN
LOG
cp=(-cp '/opt/kafka/libs/*' "-Dlog4j2.configurationFile=$conf/log4j2.properties")
rm -f /tmp/kafka-server.log
if [ ! -f "$data/meta.properties" ]; then
  java "${cp[@]}" kafka.tools.StorageTool format -t cXVhbnQtcGlwZWxpbmUtMQ -c "$conf/server.properties" --ignore-formatted
fi
exec java -Xms256m -Xmx${KAFKA_HEAP:-768m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  "-Dkafka.logs.dir=/tmp/kafka-logs" "${cp[@]}" kafka.Kafka "$conf/server.properties"

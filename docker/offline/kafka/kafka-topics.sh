#!/bin/bash
# Kafka's kafka-topics.sh: org.apache.kafka.tools.TopicCommand with the broker's jars.
exec java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '/opt/kafka/libs/*' -Dlog4j2.level=warn org.apache.kafka.tools.TopicCommand "$@"

#!/bin/bash
# Healthy once the broker logged its start and accepts connections on the internal listener (no JVM per check).
grep -q 'Kafka Server started' /tmp/kafka-server.log 2>/dev/null && exec 3<>/dev/tcp/127.0.0.1/9092

#!/bin/bash
# FerretDB on SQLite in /data/db with SCRAM authentication; the root user is created on the first start
# (--setup-*), the API user by init.mjs at every start (created or its password updated). SIGTERM stops FerretDB.
set -euo pipefail
: "${MONGO_INITDB_ROOT_USERNAME:?set MONGO_INITDB_ROOT_USERNAME}" "${MONGO_INITDB_ROOT_PASSWORD:?set MONGO_INITDB_ROOT_PASSWORD}"
ferretdb --handler=sqlite --sqlite-url=file:/data/db/ --state-dir=/data/db --listen-addr=0.0.0.0:27017 \
  --debug-addr=127.0.0.1:8088 --telemetry=disable --test-enable-new-auth \
  --setup-database=admin --setup-username="$MONGO_INITDB_ROOT_USERNAME" --setup-password="$MONGO_INITDB_ROOT_PASSWORD" "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' TERM INT
node /opt/standin/init.mjs || { kill -TERM "$pid"; wait "$pid" || true; exit 1; }
# A trapped signal interrupts the first wait; the second returns FerretDB's own exit status.
wait "$pid" || true
status=0
wait "$pid" || status=$?
exit "$status"

#!/usr/bin/env bash
# Runs Airflow natively, all in one (`airflow standalone`: api-server, scheduler, dag-processor, triggerer,
# LocalExecutor on SQLite), from the project's venv, with AIRFLOW_HOME=.stack/airflow and the api-server on
# http://127.0.0.1:${AIRFLOW_PORT:-8080}. Logs go to stdout; stop with Ctrl-C or SIGTERM (both stop every component).
#
# Login (SimpleAuthManager): AIRFLOW_ADMIN_USER / AIRFLOW_ADMIN_PASSWORD, from the environment, else .env, else
# .env.example. The DAG tasks run the scraper natively and get the same environment (KAFKA_BROKERS, S3_*, ...),
# so `pnpm stack up` should be running for them to succeed.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/common.sh"

# .env first, then .env.example, for anything not already set (as `pnpm stack` does).
load_env_file() {
  local file="$1" line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    [[ "$line" =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    value="${value%\"}" && value="${value#\"}"
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done <"$file"
}
load_env_file "$AIRFLOW_REPO_DIR/.env"
load_env_file "$AIRFLOW_REPO_DIR/.env.example"

venv="$("$here/install.sh")"
source "$here/env.sh"
export PATH="$venv/bin:$PATH"

port="${AIRFLOW_PORT:-8080}"
user="${AIRFLOW_ADMIN_USER:-admin}"
password="${AIRFLOW_ADMIN_PASSWORD:?set AIRFLOW_ADMIN_PASSWORD (see .env.example)}"
if ! [[ "$user" =~ ^[A-Za-z0-9._@-]+$ ]]; then
  echo "standalone: AIRFLOW_ADMIN_USER may hold only letters, digits and . _ @ -, got \"$user\"" >&2
  exit 2
fi

# The api-server on loopback only; tasks reach its execution API there too.
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$port"
export AIRFLOW__API__BASE_URL="http://127.0.0.1:$port"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:$port/execution/"
# SimpleAuthManager: users and roles from config, passwords from a JSON file {"user": "password"}.
# Written on every start, so a changed AIRFLOW_ADMIN_PASSWORD takes effect at the next start.
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="$user:admin"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/simple_auth_manager_passwords.json"
(umask 077 && U="$user" P="$password" "$venv/bin/python" -c \
  'import json, os; print(json.dumps({os.environ["U"]: os.environ["P"]}))' \
  >"$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")

echo "standalone: Airflow $(cat "$venv/.quant-installed") on http://127.0.0.1:$port (user $user), AIRFLOW_HOME=$AIRFLOW_HOME" >&2

# Job control on: `airflow standalone` gets a process group of its own, shared by every component it starts.
set -m
"$venv/bin/airflow" standalone &
pid=$!
# On INT/TERM every component gets SIGTERM, which each handles gracefully. (Forwarding SIGINT to `standalone`
# is not enough: a shell started in the background inherits SIGINT ignored, and so would Python.)
stop() {
  trap - INT TERM
  kill -TERM -- "-$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 -- "-$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  echo "standalone: stopped" >&2
  exit 0
}
trap stop INT TERM
status=0
wait "$pid" || status=$?
# standalone itself ended (e.g. a component failed at start): take its components down with it.
kill -TERM -- "-$pid" 2>/dev/null || true
exit "$status"

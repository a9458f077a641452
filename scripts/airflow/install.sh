#!/usr/bin/env bash
# Installs Airflow (from PyPI, exact versions of airflow/requirements.lock) into a virtualenv under the
# download cache, keyed by the lock's hash: $QUANT_CACHE_DIR/airflow-venv-<sha>. Idempotent: a finished
# venv is reused; a half-built one is thrown away. Safe to run concurrently (flock).
# Prints the venv's directory on stdout; progress goes to stderr, tool output to .stack/logs/install-airflow.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

venv="$(airflow_venv_dir)"
marker="$venv/.quant-installed"
if [ -f "$marker" ]; then
  echo "$venv"
  exit 0
fi

mkdir -p "$QUANT_CACHE"
exec 9>"$venv.lock"
flock 9
if [ -f "$marker" ]; then # another process finished it while we waited
  echo "$venv"
  exit 0
fi

started=$(date +%s)
airflow_log_init "install Airflow into $venv"
echo "airflow: installing Airflow from $AIRFLOW_LOCK into $venv (first use; log: $AIRFLOW_INSTALL_LOG)" >&2
py="$(airflow_find_python)"
uv="$(airflow_uv "$py")"

# A venv is not relocatable (script shebangs hold its path), so build in place and mark it done at the end.
rm -rf "$venv"
airflow_step "uv venv ($py)" "$uv" venv --python "$py" --no-project "$venv"
airflow_step "uv pip install -r airflow/requirements.lock (PyPI)" "$uv" pip install --python "$venv/bin/python" \
  --require-hashes --no-deps --compile-bytecode -r "$AIRFLOW_LOCK"
# The lock must be complete and consistent: fail here rather than at the first import.
airflow_step "uv pip check" "$uv" pip check --python "$venv/bin/python"
# Smoke test: the CLI starts (in a throwaway AIRFLOW_HOME, so that nothing lands in ~/airflow).
check_home="$(mktemp -d)"
airflow_step "airflow version" env AIRFLOW_HOME="$check_home" "$venv/bin/airflow" version
version="$(AIRFLOW_HOME="$check_home" "$venv/bin/airflow" version 2>/dev/null | tail -n 1)"
rm -rf "$check_home"
echo "$version" >"$marker"
echo "airflow: installed Airflow $(cat "$marker") in $(($(date +%s) - started)) s" >&2
echo "$venv"

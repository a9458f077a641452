#!/usr/bin/env bash
# Regenerates airflow/requirements.lock (exact versions for Python 3.11 on Linux) from airflow/requirements.in.
# Run after changing requirements.in, then commit both; `scripts/airflow/install.sh` installs from the lock.
#   scripts/airflow/lock.sh            # resolve against PyPI
#   scripts/airflow/lock.sh --upgrade  # extra args go to `uv pip compile`
# The Apache constraint files (constraints-X.Y.Z/constraints-3.11.txt) are not reachable from the build machines,
# so this lock takes their role; `uv pip install --dry-run` in install.sh checks it stays consistent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

py="$(airflow_find_python)"
uv="$(airflow_uv "$py")"
airflow_log_init "lock"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$uv" pip compile "$AIRFLOW_REPO_DIR/airflow/requirements.in" \
  --python-version "$AIRFLOW_PYTHON_VERSION" --python-platform x86_64-unknown-linux-gnu \
  --generate-hashes --no-header --quiet --output-file "$tmp" "$@"
{
  echo "# Exact versions of Airflow and everything it needs, for Python $AIRFLOW_PYTHON_VERSION on Linux."
  echo "# Generated from airflow/requirements.in by scripts/airflow/lock.sh (uv $UV_VERSION); do not edit."
  echo "# Installed by scripts/airflow/install.sh (natively) and airflow/Dockerfile (compose)."
  cat "$tmp"
} >"$AIRFLOW_LOCK"
echo "wrote $AIRFLOW_LOCK ($(grep -c '^[a-z0-9]' "$AIRFLOW_LOCK") packages, hash $(airflow_lock_hash))"

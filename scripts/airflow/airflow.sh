#!/usr/bin/env bash
# Runs the Airflow CLI of this project's venv (installed on first use) with the project's settings
# (scripts/airflow/env.sh): AIRFLOW_HOME=.stack/airflow, the DAGs of airflow/dags, no examples.
#   scripts/airflow/airflow.sh dags list
#   scripts/airflow/airflow.sh dags test full_pipeline_test_dag 2026-11-21
#   scripts/airflow/airflow.sh --python scripts/airflow/dag_report.py airflow/dags /tmp/report.json
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
venv="$("$(dirname "${BASH_SOURCE[0]}")/install.sh")"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export PATH="$venv/bin:$PATH"
if [ "${1:-}" = "--python" ]; then
  shift
  exec "$venv/bin/python" "$@"
fi
exec "$venv/bin/airflow" "$@"

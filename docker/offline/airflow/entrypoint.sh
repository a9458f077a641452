#!/bin/bash
# The official image's command convention: `bash …` and `python …` run as given; anything else is an Airflow
# subcommand (`scheduler`, `airflow scheduler`, `api-server`, …); no arguments: the Airflow version.
set -euo pipefail
case "${1:-}" in
  bash | python) exec "$@" ;;
  airflow) shift ;;
  "") set -- version ;;
esac
exec airflow "$@"

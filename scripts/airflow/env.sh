# Sourced: the Airflow settings of this project for native runs (tests, `pnpm airflow`, standalone).
# Every setting can be overridden from the environment. Needs common.sh sourced first.

export AIRFLOW_HOME="${AIRFLOW_HOME:-$QUANT_STACK/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$AIRFLOW_REPO_DIR/airflow/dags}"
export AIRFLOW__CORE__LOAD_EXAMPLES="${AIRFLOW__CORE__LOAD_EXAMPLES:-False}"
# SQLite in AIRFLOW_HOME is the default metadata database; LocalExecutor runs on it (WAL mode).
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
# Fewer moving parts on a 2-core machine.
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-4}"
export AIRFLOW__API__WORKERS="${AIRFLOW__API__WORKERS:-1}"
export AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES="${AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES:-1}"
# A task's supervisor waits this long for the api-server (default 5 s). The single api-server worker shares two
# cores with Kafka, FerretDB, MinIO and the pipeline: on a loaded machine (seen at load 25) every task of a run
# failed with ReadTimeout before it started.
export AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT="${AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT:-60}"
# The DAGs launch the scraper from this checkout.
export PIPELINE_RUNNER="${PIPELINE_RUNNER:-native}"
export PIPELINE_REPO_DIR="${PIPELINE_REPO_DIR:-$AIRFLOW_REPO_DIR}"
# The dags folder is on sys.path for DAG files; make the helper importable for scripts too.
export PYTHONPATH="$AIRFLOW__CORE__DAGS_FOLDER${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$AIRFLOW_HOME"

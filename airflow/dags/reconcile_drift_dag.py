"""Drift between the stream and the batch, watched every day: reconcile the previous trading day.

At 06:00 UTC, after the US evening's EOD scrapes, reconcile compares what the stream processor wrote for each
asset class's trading day before the run's date (crypto: the previous UTC day; equities and Treasury yields: the
previous NYSE trading day, so Monday's run checks Friday) with the batch computation from the lake: every bar,
rollup and quality row, field by field. The differences per series are pushed to the Pushgateway (job
`reconcile`), 0 expected; the StreamBatchDrift alert fires on anything else. A run with differences fails (exit 1),
so drift shows in the Airflow UI too; retries only cover failures of the run itself.
"""

from datetime import timedelta

from airflow.sdk import DAG, CronTriggerTimetable

from pipeline_tasks import START_DATE, reconcile_task, retry_args

with DAG(
    dag_id="reconcile_drift_dag",
    description="Stream vs batch (reconcile) over the previous trading day, daily; differences per series to Prometheus",
    schedule=CronTriggerTimetable("0 6 * * *", timezone="UTC", interval=timedelta(days=1)),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args=retry_args(
        retries=1,
        retry_delay=timedelta(minutes=10),
        max_retry_delay=timedelta(minutes=30),
        execution_timeout=timedelta(hours=1),
    ),
    tags=["reconcile", "quality"],
    doc_md=__doc__,
) as dag:
    # The run's date (data interval end): reconcile finds each asset class's trading day before it.
    reconcile_task("reconcile_previous_trading_day", before="{{ data_interval_end | ds }}")

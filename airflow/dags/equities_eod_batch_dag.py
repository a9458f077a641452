"""End-of-day equity bars (1d) for the scraper's equity universe, after the US close on weekdays.

17:30 New York (a timezone-aware cron, so it stays 90 minutes after the 16:00 close across DST) gives Yahoo
time to settle the day's bar. The run asks for its data interval, the previous three days up to the run's
date, so a late or corrected bar is picked up again; bar ids are deterministic, so re-writes are idempotent.
Market holidays need no logic here: the scraper simply finds no new bar.
"""

from datetime import timedelta

from airflow.sdk import DAG, CronTriggerTimetable

from pipeline_tasks import (
    FROM_INTERVAL_START,
    START_DATE,
    TO_INTERVAL_END,
    retry_args,
    scrape_task,
    source_param,
    symbols_param,
)

with DAG(
    dag_id="equities_eod_batch_dag",
    description="Daily equity bars (1d) after the US close, Mon-Fri",
    schedule=CronTriggerTimetable("30 17 * * 1-5", timezone="America/New_York", interval=timedelta(days=3)),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=2),
    default_args=retry_args(
        retries=3,
        retry_delay=timedelta(minutes=2),
        max_retry_delay=timedelta(minutes=20),
        execution_timeout=timedelta(minutes=30),
    ),
    params={"source": source_param(), "symbols": symbols_param()},
    tags=["scraper", "equities", "eod"],
    doc_md=__doc__,
) as dag:
    scrape_task(
        "scrape_equities_eod",
        "equities-eod",
        date_from=FROM_INTERVAL_START,
        date_to=TO_INTERVAL_END,
        interval="1d",
    )

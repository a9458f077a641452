"""End-of-day equity bars (1d) for the scraper's equity universe, after the US close on weekdays.

17:30 New York (a timezone-aware cron, so it stays 90 minutes after the 16:00 close across DST) gives Yahoo
time to settle the day's bar. The run asks for its data interval, the previous three days up to the run's
date, so a late or corrected bar is picked up again; bar ids are deterministic, so re-writes are idempotent.
Market holidays need no logic here: the scraper simply finds no new bar.
"""

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable

from pipeline_tasks import scheduled_scrape_dag

dag = scheduled_scrape_dag(
    dag_id="equities_eod_batch_dag",
    description="Daily equity bars (1d) after the US close, Mon-Fri",
    schedule=CronTriggerTimetable("30 17 * * 1-5", timezone="America/New_York", interval=timedelta(days=3)),
    job="equities-eod",
    interval="1d",
    tags=["scraper", "equities", "eod"],
    doc_md=__doc__,
    dagrun_timeout=timedelta(hours=2),
    retries=3,
    retry_delay=timedelta(minutes=2),
    max_retry_delay=timedelta(minutes=20),
    execution_timeout=timedelta(minutes=30),
)

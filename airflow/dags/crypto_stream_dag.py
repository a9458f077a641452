"""Crypto bars every five minutes, around the clock (crypto trades 24/7; times are UTC).

The scraper fetches its crypto universe at the intervals it owns (1m and 5m) for the run's window: the
five minutes before the run, as dates, so a run just after midnight still asks for the previous day too.
Runs must finish before the next one is due: short timeouts, quick retries, one active run at a time.
"""

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable

from pipeline_tasks import FIVE_MINUTE_RUN_LIMITS, scheduled_scrape_dag

dag = scheduled_scrape_dag(
    dag_id="crypto_stream_dag",
    description="Crypto bars (1m, 5m) every 5 minutes, 24/7",
    schedule=CronTriggerTimetable("*/5 * * * *", timezone="UTC", interval=timedelta(minutes=5)),
    job="crypto",
    tags=["scraper", "crypto"],
    doc_md=__doc__,
    **FIVE_MINUTE_RUN_LIMITS,
)

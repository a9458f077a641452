"""End-of-day US Treasury yields (1d) for the scraper's bond universe, after the US close on weekdays.

17:45 New York, a quarter of an hour after the equities EOD run so the two do not compete for the
scraper's rate limit. Same look-back window as equities: the last three days up to the run's date.
"""

from datetime import timedelta

from airflow.sdk import CronTriggerTimetable

from pipeline_tasks import scheduled_scrape_dag

dag = scheduled_scrape_dag(
    dag_id="bonds_eod_batch_dag",
    description="Daily Treasury yield bars (1d) after the US close, Mon-Fri",
    schedule=CronTriggerTimetable("45 17 * * 1-5", timezone="America/New_York", interval=timedelta(days=3)),
    job="bonds",
    interval="1d",
    tags=["scraper", "bonds", "eod"],
    doc_md=__doc__,
    dagrun_timeout=timedelta(hours=1),
    retries=3,
    retry_delay=timedelta(minutes=2),
    max_retry_delay=timedelta(minutes=20),
    execution_timeout=timedelta(minutes=15),
)

"""Intraday equity bars (5m) every five minutes during US regular trading hours, Mon-Fri.

The crons run in New York time, 09:35 to 16:05: each run comes just after a 5-minute bar has closed,
the last one picks up the 15:55-16:00 bar once it is final. The scraper asks for the run's trading date and
writes every bar of it again; ids are deterministic, so the already-written bars are idempotent re-writes.
On a holiday the scraper finds no bars. Runs must finish before the next one is due: short timeouts,
quick retries, and one active run at a time.
"""

from airflow.sdk import MultipleCronTriggerTimetable

from pipeline_tasks import FIVE_MINUTE_RUN_LIMITS, TO_INTERVAL_END, scheduled_scrape_dag

dag = scheduled_scrape_dag(
    dag_id="equities_intraday_stream_dag",
    description="5-minute equity bars every 5 minutes in US market hours (09:35-16:05 New York), Mon-Fri",
    schedule=MultipleCronTriggerTimetable(
        "35-55/5 9 * * 1-5",
        "*/5 10-15 * * 1-5",
        "0,5 16 * * 1-5",
        timezone="America/New_York",
    ),
    job="equities-intraday",
    date_from=TO_INTERVAL_END,
    date_to=TO_INTERVAL_END,
    interval="5m",
    tags=["scraper", "equities", "intraday"],
    doc_md=__doc__,
    **FIVE_MINUTE_RUN_LIMITS,
)

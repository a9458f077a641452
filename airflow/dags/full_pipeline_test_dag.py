"""End-to-end check of the pipeline on recorded data: run by hand or by `airflow dags test`, never scheduled.

Runs the four scrapers with the replay source (recorded Yahoo responses, see shared/fixtures/yahoo/README.md)
over date ranges the recordings cover. Symbols of the universe without a recording are reported by the
scraper as failed per symbol; the scraper still exits 0 when at least one symbol succeeded. Every range,
interval and the source are DAG params, so a run can point elsewhere (e.g. source=synthetic).

Shape: scrape (four jobs in parallel) -> scraped -> [later: batch processor -> reconcile].
"""

from datetime import timedelta

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, TaskGroup

from pipeline_tasks import (
    START_DATE,
    date_param,
    interval_param,
    retry_args,
    scrape_task,
    source_param,
    symbols_param,
)

with DAG(
    dag_id="full_pipeline_test_dag",
    description="Replay recorded data through every scraper (and, later, the batch processor and reconcile)",
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    default_args=retry_args(
        retries=1,
        retry_delay=timedelta(seconds=5),
        max_retry_delay=timedelta(seconds=30),
        execution_timeout=timedelta(minutes=10),
    ),
    params={
        # Replay unless the trigger says otherwise; PIPELINE_SOURCE does not apply to this DAG.
        "source": source_param("replay"),
        "symbols": symbols_param(),
        # AAPL 1d 2020-08-31 -> 2020-11-07: 49 bars with a 4:1 split and a dividend.
        "equities_eod_from": date_param("2020-08-31", "equities-eod --from"),
        "equities_eod_to": date_param("2020-11-07", "equities-eod --to"),
        # AAPL 1m 2024-10-02 -> 2024-10-03: one regular session, with one all-null bar.
        "equities_intraday_from": date_param("2024-10-02", "equities-intraday --from"),
        "equities_intraday_to": date_param("2024-10-03", "equities-intraday --to"),
        "equities_intraday_interval": interval_param("1m", "equities-intraday --interval"),
        # BTC-USD 1d 2020-01-01 -> 2020-01-03: three daily bars at UTC midnight.
        "crypto_from": date_param("2020-01-01", "crypto --from"),
        "crypto_to": date_param("2020-01-03", "crypto --to"),
        "crypto_interval": interval_param("1d", "crypto --interval"),
        # No real Treasury recordings exist: the replay source serves generated ones (1d, 2019-2024).
        "bonds_from": date_param("2020-08-31", "bonds --from"),
        "bonds_to": date_param("2020-11-07", "bonds --to"),
    },
    tags=["scraper", "test"],
    doc_md=__doc__,
) as dag:
    with TaskGroup("scrape") as scrape:
        scrape_task(
            "equities_eod",
            "equities-eod",
            date_from="{{ params.equities_eod_from }}",
            date_to="{{ params.equities_eod_to }}",
            interval="1d",
        )
        scrape_task(
            "equities_intraday",
            "equities-intraday",
            date_from="{{ params.equities_intraday_from }}",
            date_to="{{ params.equities_intraday_to }}",
            interval="{{ params.equities_intraday_interval }}",
        )
        scrape_task(
            "crypto",
            "crypto",
            date_from="{{ params.crypto_from }}",
            date_to="{{ params.crypto_to }}",
            interval="{{ params.crypto_interval }}",
        )
        scrape_task(
            "bonds",
            "bonds",
            date_from="{{ params.bonds_from }}",
            date_to="{{ params.bonds_to }}",
            interval="1d",
        )

    # Every scraper has written its bars to Kafka and the lake.
    scraped = EmptyOperator(task_id="scraped")
    scrape >> scraped

    # Later issues append here, in this order:
    #   scraped >> batch_process (batch processor over raw/ for the same ranges)
    #   batch_process >> reconcile (lake vs. MongoDB vs. Kafka counts)

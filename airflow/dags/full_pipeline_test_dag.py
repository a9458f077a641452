"""End-to-end check of the pipeline on real data: run by hand, by `pnpm start` or `airflow dags test`, never scheduled.

Runs the scrapers with the replay source over date ranges and symbols that real data covers: the recorded Yahoo
responses (shared/fixtures/yahoo/README.md) and the histories converted from PyPI data files (`pnpm fixtures`,
docs/ingestion.md). What real data lacks, the replay source generates and labels synthetic: the Treasury yields,
and BTC-USD between its real monthly closes. Every range, interval, symbol list and the source are DAG params,
so a run can point elsewhere (e.g. source=synthetic); `symbols`, when set, replaces every job's list.

Shape: scrape (five jobs in parallel) -> scraped -> [later: batch processor -> reconcile].
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
        # Real daily OHLCV 2012-01 -> 2013-03: AAPL, MSFT, GOOGL, META (from 2012-05-18) from bokeh-sampledata, ^GSPC
        # and ^IXIC from arch, TSLA from the recorded Yahoo response. Over 200 bars: SMA200 warms up.
        "equities_eod_from": date_param("2012-01-03", "equities-eod --from"),
        "equities_eod_to": date_param("2013-03-01", "equities-eod --to"),
        "equities_eod_symbols": symbols_param("AAPL,MSFT,GOOGL,META,TSLA,^GSPC,^IXIC"),
        # AAPL 1m 2024-10-02: one recorded regular session, with one all-null bar.
        "equities_intraday_from": date_param("2024-10-02", "equities-intraday --from"),
        "equities_intraday_to": date_param("2024-10-02", "equities-intraday --to"),
        "equities_intraday_interval": interval_param("1m", "equities-intraday --interval"),
        "equities_intraday_symbols": symbols_param("AAPL"),
        # BTC-USD daily for the crypto/equity correlation: generated (synthetic) between the real monthly closes.
        "crypto_from": date_param("2012-03-01", "crypto --from"),
        "crypto_to": date_param("2013-03-01", "crypto --to"),
        "crypto_interval": interval_param("1d", "crypto --interval"),
        "crypto_symbols": symbols_param("BTC-USD"),
        # BTC-USD 1m over two UTC days (synthetic, from its real September 2024 close): the 5m/1h/1d rollups.
        "crypto_intraday_from": date_param("2024-10-01", "crypto (intraday) --from"),
        "crypto_intraday_to": date_param("2024-10-02", "crypto (intraday) --to"),
        "crypto_intraday_interval": interval_param("1m", "crypto (intraday) --interval"),
        "crypto_intraday_symbols": symbols_param("BTC-USD"),
        # No real Treasury data: the replay source generates the four yields (a curve of the usual shape), synthetic.
        "bonds_from": date_param("2012-01-03", "bonds --from"),
        "bonds_to": date_param("2013-03-01", "bonds --to"),
        "bonds_symbols": symbols_param(),
    },
    tags=["scraper", "test"],
    doc_md=__doc__,
) as dag:
    with TaskGroup("scrape") as scrape:
        for task_id, job, interval in (
            ("equities_eod", "equities-eod", "1d"),
            ("equities_intraday", "equities-intraday", "{{ params.equities_intraday_interval }}"),
            ("crypto", "crypto", "{{ params.crypto_interval }}"),
            ("crypto_intraday", "crypto", "{{ params.crypto_intraday_interval }}"),
            ("bonds", "bonds", "1d"),
        ):
            scrape_task(
                task_id,
                job,
                date_from=f"{{{{ params.{task_id}_from }}}}",
                date_to=f"{{{{ params.{task_id}_to }}}}",
                interval=interval,
                symbols=f"{{{{ params.symbols or params.{task_id}_symbols }}}}",
            )

    # Every scraper has written its bars to Kafka and the lake.
    scraped = EmptyOperator(task_id="scraped")
    scrape >> scraped

    # Later issues append here, in this order:
    #   scraped >> batch_process (batch processor over raw/ for the same ranges)
    #   batch_process >> reconcile (lake vs. MongoDB vs. Kafka counts)

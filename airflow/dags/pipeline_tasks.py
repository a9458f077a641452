"""How every DAG of this project launches a pipeline CLI (the scraper, reconcile): one switch, two runners, the
same CLI.

PIPELINE_RUNNER=native (default): a BashOperator runs
    <repo>/scripts/node24 node <repo>/services/scraper/src/main.ts <job> --source ... [--from ... --to ...]
    <repo>/scripts/node24 node <repo>/services/batch-processor/src/reconcile-main.ts --trading-day-before ...
with the worker's environment (KAFKA_BROKERS, MONGODB_URI, S3_*, LOG_LEVEL, ...) passed through as it is.

PIPELINE_RUNNER=docker (compose): a DockerOperator runs the CLI's image (SCRAPER_IMAGE, whose entrypoint is the
scraper CLI; BATCH_IMAGE with reconcile's entrypoint) with the same arguments, on the compose network
(PIPELINE_DOCKER_NETWORK), through the Docker socket. The docker provider is imported only in that branch, so a
native install does not need it.

No market logic lives here: the scraper owns its symbol universe, calendars and intervals, reconcile its trading
days. The DAGs pass only a job name, a source, and dates rendered from the run's data interval or from DAG params.
Everything here is read when the DAG file is parsed; nothing touches the metadata database.
"""

from __future__ import annotations

import os
import shlex
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

from airflow.sdk import DAG, Param

RUNNERS = ("native", "docker")
SOURCES = ("yahoo", "replay", "synthetic")
JOBS = ("equities-eod", "equities-intraday", "crypto", "bonds")
INTERVALS = ("1m", "5m", "1d")

# Variables handed to the scraper container; the rest of the worker's environment stays out of it.
PASSED_ENV = (
    "KAFKA_BROKERS",
    "KAFKA_CLIENT_ID",
    "S3_ENDPOINT",
    "S3_BUCKET",
    "S3_REGION",
    "LOG_LEVEL",
    "SCRAPER_CONCURRENCY",
    "SCRAPER_REQUESTS_PER_SECOND",
    "SCRAPER_RETRIES",
    "SCRAPER_RETRY_MIN_MS",
    "SCRAPER_RETRY_MAX_MS",
    "YAHOO_FIXTURES_DIR",
    "YAHOO_DATA_FILES_DIR",
    "YAHOO_GENERATED_FIXTURES_DIR",
    "SYNTHETIC_SEED",
    "PUSHGATEWAY_URL",
)
# Passed too, but as private_environment: not rendered in the UI or the logs.
SECRET_ENV = ("S3_ACCESS_KEY", "S3_SECRET_KEY")


class Cli(NamedTuple):
    """A command-line program of the pipeline, as a DAG task launches it."""

    # What the task's doc calls it.
    name: str
    # Its main file in the repository (native runner).
    main: tuple[str, ...]
    # The variable naming its image (docker runner), the image compose builds for it, and the entrypoint when the
    # image's own is another program.
    image_env: str
    image_example: str
    entrypoint: list[str] | None
    # Variables handed to its container, and those handed as private_environment.
    env: tuple[str, ...]
    secret_env: tuple[str, ...]
    # Whether it reads the recordings of --source replay (CONTAINER_MOUNTS).
    fixtures: bool


SCRAPER = Cli(
    name="scraper",
    main=("services", "scraper", "src", "main.ts"),
    image_env="SCRAPER_IMAGE",
    image_example="quant-pipeline/scraper:latest",
    entrypoint=None,
    env=PASSED_ENV,
    secret_env=SECRET_ENV,
    fixtures=True,
)

RECONCILE = Cli(
    name="reconcile",
    main=("services", "batch-processor", "src", "reconcile-main.ts"),
    image_env="BATCH_IMAGE",
    image_example="quant-pipeline/batch-processor:latest",
    entrypoint=["node", "services/batch-processor/src/reconcile-main.ts"],
    env=("MONGODB_DB", "S3_ENDPOINT", "S3_BUCKET", "S3_REGION", "LOG_LEVEL", "PUSHGATEWAY_URL"),
    # The MongoDB URI carries a password.
    secret_env=("MONGODB_URI", "S3_ACCESS_KEY", "S3_SECRET_KEY"),
    fixtures=False,
)

# Where the host directories of PIPELINE_<name>_HOST_DIR are mounted read-only in the scraper container (docker
# runner), and the scraper variable that points there: the recorded Yahoo responses and the recordings converted
# from PyPI data files (`pnpm fixtures`), both read by --source replay.
CONTAINER_MOUNTS = (
    ("PIPELINE_FIXTURES_HOST_DIR", "/fixtures/yahoo", "YAHOO_FIXTURES_DIR"),
    ("PIPELINE_DATA_FILES_HOST_DIR", "/fixtures/yahoo-data-files", "YAHOO_DATA_FILES_DIR"),
)

# Templates for the run's data interval, as YYYY-MM-DD (UTC).
FROM_INTERVAL_START = "{{ data_interval_start | ds }}"
TO_INTERVAL_END = "{{ data_interval_end | ds }}"

# A fixed past date: with catchup off, the first run is the next one due after the DAG is switched on.
START_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def runner() -> str:
    value = os.environ.get("PIPELINE_RUNNER", "native").strip() or "native"
    if value not in RUNNERS:
        raise ValueError(f"PIPELINE_RUNNER must be one of {', '.join(RUNNERS)}, got {value!r}")
    return value


def repo_dir() -> Path:
    """The repository root: PIPELINE_REPO_DIR, or two levels above this dags folder."""
    configured = os.environ.get("PIPELINE_REPO_DIR", "").strip()
    return Path(configured) if configured else Path(__file__).resolve().parent.parent.parent


def default_source() -> str:
    value = os.environ.get("PIPELINE_SOURCE", "yahoo").strip() or "yahoo"
    if value not in SOURCES:
        raise ValueError(f"PIPELINE_SOURCE must be one of {', '.join(SOURCES)}, got {value!r}")
    return value


def source_param(default: str | None = None) -> Param:
    return Param(
        default or default_source(),
        type="string",
        enum=list(SOURCES),
        description="Where the scraper reads bars: yahoo (live), replay (recorded responses), synthetic.",
    )


def date_param(default: str, description: str) -> Param:
    return Param(default, type="string", pattern=DATE_PATTERN, description=description)


def interval_param(default: str, description: str) -> Param:
    return Param(default, type="string", enum=list(INTERVALS), description=description)


def symbols_param(default: str = "") -> Param:
    return Param(
        default,
        type="string",
        pattern=r"^[A-Za-z0-9.^=,_-]*$",
        description="Comma-separated symbols; empty means the scraper's own universe for the job.",
    )


def retry_args(
    *,
    retries: int,
    retry_delay: timedelta,
    max_retry_delay: timedelta,
    execution_timeout: timedelta,
) -> dict[str, Any]:
    """default_args of a DAG: retries with exponential backoff (delay doubles), capped, and a timeout."""
    return {
        "owner": "quant-pipeline",
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": max_retry_delay,
        "execution_timeout": execution_timeout,
    }


# A DAG run every five minutes must end before the next one is due: short timeouts, quick retries (the crypto and
# the intraday equities DAGs).
FIVE_MINUTE_RUN_LIMITS: dict[str, Any] = {
    "dagrun_timeout": timedelta(minutes=5),
    "retries": 2,
    "retry_delay": timedelta(seconds=15),
    "max_retry_delay": timedelta(minutes=1),
    "execution_timeout": timedelta(minutes=3),
}


def scheduled_scrape_dag(
    *,
    dag_id: str,
    description: str,
    schedule: Any,
    job: str,
    tags: list[str],
    doc_md: str | None,
    dagrun_timeout: timedelta,
    retries: int,
    retry_delay: timedelta,
    max_retry_delay: timedelta,
    execution_timeout: timedelta,
    date_from: str = FROM_INTERVAL_START,
    date_to: str = TO_INTERVAL_END,
    interval: str | None = None,
) -> DAG:
    """A scheduled DAG of one scraper task: what the four scheduled DAG files share.

    One active run at a time, no catchup, the `source` and `symbols` params, retries with exponential
    backoff; each file states only its schedule, job, window and limits.
    """
    with DAG(
        dag_id=dag_id,
        description=description,
        schedule=schedule,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=dagrun_timeout,
        default_args=retry_args(
            retries=retries,
            retry_delay=retry_delay,
            max_retry_delay=max_retry_delay,
            execution_timeout=execution_timeout,
        ),
        params={"source": source_param(), "symbols": symbols_param()},
        tags=tags,
        doc_md=doc_md,
    ) as dag:
        # The task is named after its job: scrape_equities_eod, scrape_crypto, ...
        scrape_task(f"scrape_{job.replace('-', '_')}", job, date_from=date_from, date_to=date_to, interval=interval)
    return dag


def scrape_args(
    job: str,
    *,
    source: str = "{{ params.source }}",
    date_from: str | None = None,
    date_to: str | None = None,
    interval: str | None = None,
    symbols: str | None = "{{ params.symbols }}",
) -> str:
    """The scraper's arguments as one shell-quoted string (Jinja templates rendered at run time).

    Values that come from params are validated by the params' enum/pattern before a run starts; each
    argument is single-quoted, so a rendered value cannot split into further words.
    """
    if job not in JOBS:
        raise ValueError(f"unknown scraper job {job!r}; expected one of {', '.join(JOBS)}")
    words = [job, "--source", f"'{source}'"]
    if date_from is not None:
        words += ["--from", f"'{date_from}'"]
    if date_to is not None:
        words += ["--to", f"'{date_to}'"]
    if interval is not None:
        words += ["--interval", f"'{interval}'"]
    command = " ".join(words)
    if symbols is not None:
        # Only when set: an empty --symbols would mean "no symbols".
        command += "{% if " + _expr(symbols) + " %} --symbols '" + symbols + "'{% endif %}"
    return command


def _expr(template: str) -> str:
    """'{{ params.symbols }}' -> 'params.symbols' (for use inside a Jinja statement)."""
    inner = template.strip()
    if inner.startswith("{{") and inner.endswith("}}"):
        return inner[2:-2].strip()
    return repr(inner)


def scrape_task(task_id: str, job: str, **kwargs: Any):
    """An operator that runs `scrape <job> ...` with the configured runner (see the module docstring)."""
    args = scrape_args(job, **kwargs)
    doc = f"Runs the scraper: `scrape {job}` ({runner()} runner). Exit 0: all or some symbols written; 1: every symbol failed; 2: bad configuration."
    return cli_task(task_id, SCRAPER, args, doc)


def reconcile_task(task_id: str, before: str):
    """An operator that runs `reconcile --trading-day-before <before>`: stream vs batch over each asset class's
    trading day before that date, pushing its differences per series to the Pushgateway (PUSHGATEWAY_URL)."""
    args = f"--trading-day-before '{before}'"
    doc = f"Runs `reconcile {args}` ({runner()} runner). Exit 0: no difference; 1: differences (or a failure); 2: bad arguments or configuration."
    return cli_task(task_id, RECONCILE, args, doc)


def cli_task(task_id: str, cli: Cli, args: str, doc: str):
    if runner() == "docker":
        return _docker_task(task_id, cli, args, doc)
    return _native_task(task_id, cli, args, doc)


def _native_task(task_id: str, cli: Cli, args: str, doc: str):
    from airflow.providers.standard.operators.bash import BashOperator

    root = repo_dir()
    node = shlex.quote(str(root / "scripts" / "node24"))
    main = shlex.quote(str(root.joinpath(*cli.main)))
    return BashOperator(
        task_id=task_id,
        bash_command=f"exec {node} node {main} {args}",
        # The CLI resolves its workspace packages from the repository.
        cwd=str(root),
        doc_md=doc,
    )


def _docker_task(task_id: str, cli: Cli, args: str, doc: str):
    # Imported here only: the native install does not need the docker provider at parse time.
    from airflow.providers.docker.operators.docker import DockerOperator

    image = os.environ.get(cli.image_env, "").strip()
    if not image:
        raise ValueError(f"PIPELINE_RUNNER=docker needs {cli.image_env} (the {cli.name} image, e.g. {cli.image_example})")
    network = os.environ.get("PIPELINE_DOCKER_NETWORK", "").strip() or None
    environment = {k: os.environ[k] for k in cli.env if os.environ.get(k)}
    mounts = []
    # The recordings for --source replay: directories on the Docker host, mounted read-only.
    for host_variable, target, scraper_variable in CONTAINER_MOUNTS if cli.fixtures else ():
        source = os.environ.get(host_variable, "").strip()
        if source:
            from docker.types import Mount

            mounts.append(Mount(target=target, source=source, type="bind", read_only=True))
            environment[scraper_variable] = target
    return DockerOperator(
        task_id=task_id,
        image=image,
        command=args,
        entrypoint=cli.entrypoint,
        environment=environment,
        mounts=mounts,
        private_environment={k: os.environ[k] for k in cli.secret_env if os.environ.get(k)},
        docker_url="unix://var/run/docker.sock",
        network_mode=network,
        # The default bind-mounts a temp dir of the Airflow container, a path the Docker host does not have.
        mount_tmp_dir=False,
        auto_remove="success",
        # The images are built locally by compose (`docker compose build`), not pulled.
        force_pull=False,
        doc_md=doc,
    )

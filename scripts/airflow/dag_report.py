"""Parses the DAG folder as the dag-processor does and writes one JSON report.

Run with the project's venv and settings (scripts/airflow/env.sh):
    <venv>/bin/python scripts/airflow/dag_report.py <dags_folder> <out.json> [<after ISO time>]
Each DAG is also serialized and read back (what the dag-processor stores and the scheduler uses); its
timetable then lists the next runs after <after> (default 2026-11-20T00:00:00Z), catchup on, so that the
schedules can be checked against fixed times. Exit 1 when a file failed to import. No metadata database.
"""

from __future__ import annotations

import json
import sys

AFTER_DEFAULT = "2026-11-20T00:00:00Z"


def next_runs(timetable, after, count: int) -> list[dict]:
    from airflow.timetables.base import TimeRestriction

    runs: list[dict] = []
    last = None
    restriction = TimeRestriction(earliest=after, latest=None, catchup=True)
    for _ in range(count):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        if info is None:
            break
        runs.append(
            {
                "run_after": info.run_after.isoformat(),
                "data_interval_start": info.data_interval.start.isoformat(),
                "data_interval_end": info.data_interval.end.isoformat(),
            }
        )
        last = info.data_interval
    return runs


def describe(dag, after) -> dict:
    from airflow.serialization.serialized_objects import DagSerialization

    data = DagSerialization.to_dict(dag)
    serialized = DagSerialization.from_dict(data)
    timetable = serialized.timetable
    return {
        "fileloc": dag.fileloc,
        "timetable": data["dag"].get("timetable"),
        "timetable_summary": timetable.summary,
        "timetable_description": timetable.description,
        "next_runs": next_runs(timetable, after, 8) if timetable.can_be_scheduled else [],
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
        "dagrun_timeout_s": dag.dagrun_timeout.total_seconds() if dag.dagrun_timeout else None,
        "params": {k: dag.params.get_param(k).resolve(suppress_exception=True) for k in dag.params},
        "tasks": {
            t.task_id: {
                "operator": type(t).__name__,
                "retries": t.retries,
                "retry_delay_s": t.retry_delay.total_seconds(),
                "retry_exponential_backoff": t.retry_exponential_backoff,
                "max_retry_delay_s": t.max_retry_delay.total_seconds() if t.max_retry_delay else None,
                "execution_timeout_s": t.execution_timeout.total_seconds() if t.execution_timeout else None,
                "command": getattr(t, "bash_command", None) or getattr(t, "command", None),
                "upstream": sorted(t.upstream_task_ids),
                # DockerOperator: the host directories mounted into the container, and its (non-secret) variables.
                "mounts": [
                    {"source": m["Source"], "target": m["Target"], "read_only": m["ReadOnly"]}
                    for m in getattr(t, "mounts", None) or []
                ],
                "environment": dict(getattr(t, "environment", None) or {}),
            }
            for t in dag.tasks
        },
    }


def main() -> int:
    import pendulum
    from airflow.dag_processing.dagbag import DagBag

    folder, out = sys.argv[1], sys.argv[2]
    after = pendulum.parse(sys.argv[3] if len(sys.argv) > 3 else AFTER_DEFAULT)
    bag = DagBag(dag_folder=folder)
    report = {
        "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()},
        "dags": {dag_id: describe(dag, after) for dag_id, dag in sorted(bag.dags.items())},
        # Whether parsing imported the docker provider (it should only with PIPELINE_RUNNER=docker).
        "docker_provider_imported": "airflow.providers.docker.operators.docker" in sys.modules,
    }
    with open(out, "w") as f:
        json.dump(report, f, indent=2, default=str)
        f.write("\n")
    return 1 if bag.import_errors else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Shuffle and input sizes per job group from Spark event logs (docs/SCALING.md).

    CRM_SPARK_EVENT_LOG=/tmp/spark-events PYTEST_ARGS="-k million" bash bindings/python/run-tests.sh
    python3 scripts/spark-event-sizes.py /tmp/spark-events

Prints, per job group (the tests name the steps: load, summarize, classify,
fit_btyd, predict_btyd, checks), the tasks, the task time and the bytes
written to and read from shuffles, and the peak execution memory of a task.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def main(directory: str) -> None:
    groups: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    stage_group: dict[int, str] = {}
    for log in sorted(Path(directory).rglob("*")):
        if (
            not log.is_file()
            or log.name.startswith(".")
            or log.suffix in (".zstd", ".lz4", ".snappy", ".crc")
        ):
            continue
        for line in log.read_text().splitlines():
            e = json.loads(line)
            kind = e.get("Event")
            if kind == "SparkListenerStageSubmitted":
                props = e.get("Properties") or {}
                stage_group[e["Stage Info"]["Stage ID"]] = props.get("spark.jobGroup.id", "-")
            elif kind == "SparkListenerTaskEnd" and e.get("Task Metrics"):
                g = groups[stage_group.get(e["Stage ID"], "-")]
                m = e["Task Metrics"]
                sw, sr = m.get("Shuffle Write Metrics", {}), m.get("Shuffle Read Metrics", {})
                g["tasks"] += 1
                g["task seconds"] += m.get("Executor Run Time", 0) / 1000
                g["shuffle write MB"] += sw.get("Shuffle Bytes Written", 0) / 1e6
                g["shuffle read MB"] += (
                    sr.get("Remote Bytes Read", 0) + sr.get("Local Bytes Read", 0)
                ) / 1e6
                g["shuffle records written"] += sw.get("Shuffle Records Written", 0)
                g["peak task memory MB"] = max(
                    g["peak task memory MB"], m.get("Peak Execution Memory", 0) / 1e6
                )
                g["result MB to driver"] += m.get("Result Size", 0) / 1e6
    keys = [
        "tasks",
        "task seconds",
        "shuffle write MB",
        "shuffle read MB",
        "shuffle records written",
        "peak task memory MB",
        "result MB to driver",
    ]
    print("| job group | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, g in groups.items():
        print(
            f"| {name} | "
            + " | ".join(
                f"{g[k]:.3g}" if isinstance(g[k], float) and k != "tasks" else f"{int(g[k])}"
                for k in keys
            )
            + " |"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/spark-events")

"""Acceptance figures of ``crm_engine.classify`` on N customers: time next to
crm-core's classification of the same values in Rust, and peak memory next
to the input table.

    python benches/classify_memory.py [--customers 10000000] [--repeats 3]

Needs crm_engine built with ``maturin develop --release`` and cargo (the Rust
side is ``bindings/python/examples/classify_baseline.rs``, built --release).
Data: customer ids 0..N (int64) and values lognormal(3, 1) rounded to two
decimals (float64), with ~10 % zeros: the input table is 16 bytes a customer.

Time: best of ``repeats`` in one process, as wall seconds and as the calling
thread's CPU seconds (``_cpu``; the work is single-threaded), which a loaded
machine does not inflate; ratios of both. Memory: each measurement in a fresh
process, peak RSS (``ru_maxrss``) during the call minus the RSS just before
it (input table already built), divided by the input table's bytes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

ROOT = Path(__file__).resolve().parents[1]


def table(n: int, seed: int = 42) -> pa.Table:
    rng = np.random.default_rng(seed)
    v = np.round(rng.lognormal(3.0, 1.0, n), 2)
    v[rng.random(n) < 0.1] = 0.0
    return pa.table({"id": np.arange(n, dtype=np.int64), "v": v})


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def child(n: int, money: str) -> None:
    import crm_engine as crm

    t = table(n)
    before = rss_bytes()
    c = crm.classify(t, customer="id", value="v", money=money)  # type: ignore[arg-type]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert len(c) == n
    print(json.dumps({"input_bytes": t.nbytes, "before": before, "peak": peak}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=10_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child", choices=["decimal128", "float64"])
    a = ap.parse_args()
    if a.child:
        child(a.customers, a.child)
        return
    import crm_engine as crm

    t = table(a.customers)
    res: dict[str, float] = {"customers": a.customers, "input_bytes": t.nbytes}
    for money in ("decimal128", "float64"):
        best, best_cpu = float("inf"), float("inf")
        for _ in range(a.repeats):
            t0, c0 = time.perf_counter(), time.thread_time()
            c = crm.classify(t, customer="id", value="v", money=money)  # type: ignore[arg-type]
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.thread_time() - c0)
            del c
        res[f"python_{money}_seconds"] = best
        res[f"python_{money}_cpu_seconds"] = best_cpu
        out = subprocess.run(
            [sys.executable, __file__, "--customers", str(a.customers), "--child", money],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        m = json.loads(out)
        res[f"python_{money}_peak_over_input"] = (m["peak"] - m["before"]) / m["input_bytes"]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "values.arrow"
        feather.write_feather(t, path, compression="uncompressed")
        out = subprocess.run(
            [
                "cargo",
                "run",
                "--release",
                "-q",
                "-p",
                "crm-engine-python",
                "--example",
                "classify_baseline",
                "--",
                str(path),
                str(a.repeats),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    rust = json.loads(out.strip().splitlines()[-1])
    res.update({f"rust_{k}_seconds": v for k, v in rust.items() if k != "customers"})
    for money in ("decimal128", "float64"):
        for rust_part in ("classify", "assign", "assign_and_table"):
            res[f"python_{money}_over_rust_{rust_part}"] = (
                res[f"python_{money}_seconds"] / rust[rust_part]
            )
            res[f"python_{money}_over_rust_{rust_part}_cpu"] = (
                res[f"python_{money}_cpu_seconds"] / rust[f"{rust_part}_cpu"]
            )
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()

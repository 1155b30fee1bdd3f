"""Benchmark of the Python bindings: summarize + classify from pandas and polars,
next to the same work in Rust (bindings/python/examples/rust_baseline.rs) and
next to pandas doing the group-by itself.

    python benches/python_bindings.py [--rows 1000000 10000000] [--repeats 3] [--markdown]

Needs crm_engine installed (bindings/python/run-tests.sh builds it) and cargo
for the Rust side. Data: N transactions of N/10 customers over two years,
amounts with two decimals, timestamps (datetime64[ns]); the same table is
written as Arrow IPC for the Rust run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import crm_engine as crm
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.feather as feather

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2024-12-31"


def data(rows: int, seed: int = 42) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    customers = max(rows // 10, 1)
    start = np.datetime64("2023-01-01T00:00:00", "ns")
    seconds = rng.integers(0, 730 * 86400, rows).astype("timedelta64[s]").astype("timedelta64[ns]")
    return pd.DataFrame(
        {
            "customer": rng.integers(0, customers, rows, dtype=np.int64),
            "date": start + seconds,
            "amount": np.round(rng.lognormal(3.0, 1.0, rows), 2),
        }
    )


def best(repeats: int, f: Callable[[], Any]) -> tuple[float, Any]:
    out, t_best = None, float("inf")
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        out = f()
        t_best = min(t_best, time.perf_counter() - t0)
    return t_best, out


def pandas_groupby(df: pd.DataFrame) -> pd.DataFrame:
    """pandas doing it itself: per-customer occasions, frequency, recency, T,
    total spend, then value tiers by sort + cumulative share (no tie groups,
    no monetary_value of repeat occasions, no reconciliation)."""
    as_of = pd.Timestamp(AS_OF)
    d = df.assign(day=df["date"].dt.floor("D"))
    d = d[d["day"] <= as_of]
    g = d.groupby("customer")
    s = pd.DataFrame(
        {
            "first": g["day"].min(),
            "last": g["day"].max(),
            "occasions": g["day"].nunique(),
            "total_spend": g["amount"].sum(),
        }
    )
    s["frequency"] = s["occasions"] - 1
    s["recency"] = (s["last"] - s["first"]).dt.days
    s["T"] = (as_of - s["first"]).dt.days
    v = s["total_spend"].sort_values(ascending=False)
    before = (v.cumsum() - v) / v[v > 0].sum()
    tier = np.select(
        [v <= 0, before < 0.2, before < 0.5], ["inactive", "most_valuable", "major"], "ordinary"
    )
    s.loc[v.index, "tier"] = tier
    return s


def rust_baseline(path: Path, repeats: int) -> dict[str, float]:
    cmd = [
        "cargo",
        "run",
        "-q",
        "--release",
        "-p",
        "crm-engine-python",
        "--example",
        "rust_baseline",
        "--",
        str(path),
        AS_OF,
        str(repeats),
    ]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(rows: int, repeats: int) -> dict[str, Any]:
    df = data(rows)
    frame = pl.from_pandas(df)
    res: dict[str, Any] = {"rows": rows}
    t, s_pd = best(
        repeats,
        lambda: crm.summarize(df, customer="customer", time="date", amount="amount", as_of=AS_OF),
    )
    res["py_pandas_summarize"] = t
    t, _ = best(repeats, lambda: crm.classify(s_pd, customer="customer_id", value="total_spend"))
    res["py_pandas_classify"] = t
    t, s_pl = best(
        repeats,
        lambda: crm.summarize(
            frame, customer="customer", time="date", amount="amount", as_of=AS_OF
        ),
    )
    res["py_polars_summarize"] = t
    assert s_pl == s_pd
    # classify from a polars frame of the summary (the user's own per-customer table)
    values = pl.DataFrame(s_pl).select("customer_id", "total_spend")
    t, _ = best(repeats, lambda: crm.classify(values, customer="customer_id", value="total_spend"))
    res["py_polars_classify"] = t
    res["customers"] = len(s_pd)
    t, _ = best(max(1, repeats - 1), lambda: pandas_groupby(df))
    res["pandas_groupby_tiers"] = t
    t, _ = best(repeats, lambda: pa.Table.from_pandas(df, preserve_index=False))
    res["pandas_to_arrow"] = t
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tx.arrow"
        feather.write_feather(
            pa.Table.from_pandas(df, preserve_index=False), path, compression="uncompressed"
        )
        df = frame = s_pd = s_pl = values = None  # free before the next measurement
        gc.collect()
        rust = rust_baseline(path, repeats)
    for k in ("summarize_core", "summarize", "classify_core", "classify"):
        res[f"rust_{k}"] = rust[k]
    return res


def markdown(results: list[dict[str, Any]]) -> str:
    def ms(x: float) -> str:
        return f"{x * 1000:,.0f} ms"

    lines = [
        "| rows (customers) | step | Rust only | Python, pandas in | Python, polars in | ratio pandas / polars | pandas itself |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        n = f"{r['rows']:,} ({r['customers']:,})"
        lines.append(
            f"| {n} | summarize | {ms(r['rust_summarize'])} (core {ms(r['rust_summarize_core'])}) | {ms(r['py_pandas_summarize'])} | "
            f"{ms(r['py_polars_summarize'])} | {r['py_pandas_summarize'] / r['rust_summarize']:.2f} / "
            f"{r['py_polars_summarize'] / r['rust_summarize']:.2f} | |"
        )
        lines.append(
            f"| {n} | classify | {ms(r['rust_classify'])} (core {ms(r['rust_classify_core'])}) | {ms(r['py_pandas_classify'])} | "
            f"{ms(r['py_polars_classify'])} | {r['py_pandas_classify'] / r['rust_classify']:.2f} / "
            f"{r['py_polars_classify'] / r['rust_classify']:.2f} | |"
        )
        tot_rust = r["rust_summarize"] + r["rust_classify"]
        tot_pd = r["py_pandas_summarize"] + r["py_pandas_classify"]
        tot_pl = r["py_polars_summarize"] + r["py_polars_classify"]
        lines.append(
            f"| {n} | **summarize + classify** | {ms(tot_rust)} | {ms(tot_pd)} | {ms(tot_pl)} | {tot_pd / tot_rust:.2f} / "
            f"{tot_pl / tot_rust:.2f} | {ms(r['pandas_groupby_tiers'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    results = []
    for rows in args.rows:
        r = run(rows, args.repeats)
        results.append(r)
        print(json.dumps(r), flush=True)
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"pandas {pd.__version__}, polars {pl.__version__}, pyarrow {pa.__version__}\n"
    )
    if args.markdown:
        print(markdown(results))


if __name__ == "__main__":
    main()

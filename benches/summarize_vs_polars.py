#!/usr/bin/env python3
"""Per-customer summaries: crm-engine next to polars, same data, same machine, same run.

For each size (rows:customers) the script writes one Parquet file of random
transactions (customer int64, date date32, amount float64; 5 % returns,
dates over 1,000 days), then runs, each in its own process under
`/usr/bin/time -v` (for the peak resident memory):

* the Rust bench binary `summarize --oneshot FILE AS_OF THREADS`: loads the
  file into Arrow record batches, then times crm-engine's summary of them;
* this script in `--polars-worker` mode: loads the file into a polars
  DataFrame, then times the equivalent group-by (first and last day,
  distinct days, transactions, total, returns and their sum, spend of the
  first day; then x, t_x, T and the mean repeat spend; sorted by customer).

Timings exclude loading the file in both. It prints a Markdown table with
rows per second, peak memory, the raw columnar input size and the ratios,
and writes it to --out.

Usage (polars and pyarrow installed, e.g. in a venv):

    python benches/summarize_vs_polars.py --sizes 10M:1M,100M:10M --out /tmp/summaries.md
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "1997-12-31"  # day 10,226; dates are days 9,226 .. 10,225


def parse_size(s: str) -> int:
    s = s.strip().upper()
    mult = {"K": 1_000, "M": 1_000_000, "G": 1_000_000_000}
    return int(float(s[:-1]) * mult[s[-1]]) if s[-1] in mult else int(s)


def generate(path: Path, rows: int, customers: int, seed: int = 42) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    schema = pa.schema([("customer", pa.int64()), ("date", pa.date32()), ("amount", pa.float64())])
    chunk = 5_000_000
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema, compression="snappy") as w:
        left = rows
        while left > 0:
            n = min(chunk, left)
            left -= n
            ids = rng.integers(0, customers, n, dtype=np.int64)
            days = (9_226 + rng.integers(0, 1_000, n)).astype(np.int32)
            cents = rng.integers(0, 20_000, n)
            sign = np.where(rng.random(n) < 0.05, -1, 1)
            amounts = sign * cents / 100.0
            table = pa.table(
                {
                    "customer": ids,
                    "date": pa.array(days, pa.int32()).cast(pa.date32()),
                    "amount": amounts,
                },
                schema=schema,
            )
            w.write_table(table, row_group_size=1_000_000)
    tmp.rename(path)


def polars_worker(path: str, as_of: str) -> None:
    import datetime as dt

    import polars as pl

    t0 = time.perf_counter()
    df = pl.read_parquet(path)
    load = time.perf_counter() - t0
    cut = dt.date.fromisoformat(as_of)
    t1 = time.perf_counter()
    out = (
        df.lazy()
        .filter(pl.col("date") <= cut)
        .group_by("customer")
        .agg(
            first=pl.col("date").min(),
            last=pl.col("date").max(),
            occasions=pl.col("date").n_unique(),
            transactions=pl.len(),
            total=pl.col("amount").sum(),
            returns=(pl.col("amount") < 0).sum(),
            returns_amount=pl.col("amount").filter(pl.col("amount") < 0).sum(),
            first_day_spend=pl.col("amount").filter(pl.col("date") == pl.col("date").min()).sum(),
        )
        .with_columns(
            x=pl.col("occasions") - 1,
            t_x=(pl.col("last") - pl.col("first")).dt.total_days(),
            T=(pl.lit(cut) - pl.col("first")).dt.total_days(),
            mean_spend=pl.col("total") / pl.col("transactions"),
        )
        .with_columns(
            zbar=pl.when(pl.col("x") > 0)
            .then((pl.col("total") - pl.col("first_day_spend")) / pl.col("x"))
            .otherwise(0.0)
        )
        .sort("customer")
        .collect()
    )
    secs = time.perf_counter() - t1
    rows = df.height
    print(
        json.dumps(
            {
                "engine": "polars " + pl.__version__,
                "threads": pl.thread_pool_size(),
                "rows": rows,
                "customers": out.height,
                "load_seconds": round(load, 3),
                "seconds": round(secs, 3),
                "rows_per_second": round(rows / secs),
                "input_bytes": df.estimated_size(),
            }
        )
    )


def rust_binary() -> str:
    cmd = [
        "cargo",
        "bench",
        "-p",
        "crm-benches",
        "--bench",
        "summarize",
        "--no-run",
        "--message-format=json",
    ]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if (
            msg.get("reason") == "compiler-artifact"
            and msg.get("target", {}).get("name") == "summarize"
        ):
            exe = msg.get("executable")
            if exe:
                return exe
    raise SystemExit("could not find the summarize bench binary")


def timed(cmd: list[str]) -> tuple[dict, int]:
    """Runs cmd under /usr/bin/time -v: (its JSON line, peak RSS in bytes)."""
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{p.stdout}\n{p.stderr}")
    result = json.loads([line for line in p.stdout.splitlines() if line.startswith("{")][-1])
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    return result, int(m.group(1)) * 1024 if m else 0


def fmt_bytes(b: float) -> str:
    return f"{b / 2**20:,.0f} MiB"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--sizes", default="10M:1M", help="comma-separated rows:customers, e.g. 10M:1M,100M:10M"
    )
    ap.add_argument("--workdir", default="/tmp/crm-bench")
    ap.add_argument("--threads", default="1,2", help="crm-engine thread counts to run")
    ap.add_argument("--out", default=None, help="write the Markdown table here")
    ap.add_argument("--polars-worker", nargs=2, metavar=("FILE", "AS_OF"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.polars_worker:
        polars_worker(*args.polars_worker)
        return

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    exe = rust_binary()
    lines = [
        "| input | engine | threads | summary time | rows/s | peak memory | raw columnar input | peak / input | time vs polars |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in args.sizes.split(","):
        r, c = (parse_size(x) for x in size.split(":"))
        path = work / f"tx_{r}_{c}.parquet"
        if not path.exists():
            t = time.perf_counter()
            generate(path, r, c)
            print(f"generated {path} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        polars, polars_rss = timed([sys.executable, __file__, "--polars-worker", str(path), AS_OF])
        runs = [(polars, polars_rss)]
        for th in args.threads.split(","):
            runs.append(timed([exe, "--oneshot", str(path), AS_OF, th.strip()]))
        raw = runs[1][0]["input_bytes"]  # Arrow arrays as loaded: the raw columnar input
        for res, rss in runs:
            ratio = polars["seconds"] / res["seconds"]
            lines.append(
                f"| {size} ({r:,} rows, {res['customers']:,} customers) | {res['engine']} | {res['threads']} | "
                f"{res['seconds']:.2f} s | {res['rows_per_second'] / 1e6:.1f} M | {fmt_bytes(rss)} | {fmt_bytes(raw)} | "
                f"{rss / raw:.2f} | {ratio:.2f}x {'faster' if ratio >= 1 else 'slower'}"
                + (" (polars)" if res is polars else "")
                + " |"
            )
            print(lines[-1], file=sys.stderr)
    table = "\n".join(lines) + "\n"
    print(table)
    if args.out:
        Path(args.out).write_text(table)


if __name__ == "__main__":
    main()

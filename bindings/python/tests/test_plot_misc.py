"""Plots render to PNG; the GIL is released; the stubs match the module."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import crm_engine as crm
import crm_engine.plot as cplot
import numpy as np
import pyarrow as pa
import pytest


@pytest.fixture(scope="module")
def cdnow_results(cdnow: pa.Table) -> tuple[crm.Classification, crm.Review, crm.Rfm]:
    h1 = crm.summarize(
        cdnow,
        customer="customer",
        time="date",
        amount="amount",
        as_of="1997-09-30",
        since="1997-01-01",
    )
    h2 = crm.summarize(
        cdnow,
        customer="customer",
        time="date",
        amount="amount",
        as_of="1998-06-30",
        since="1997-10-01",
    )
    c1 = crm.classify(h1, customer="customer_id", value="total_spend")
    c2 = crm.classify(h2, customer="customer_id", value="total_spend")
    review = crm.review(
        c1,
        c2,
        labels=("1997 Jan-Sep", "1997 Oct-1998 Jun"),
        windows=((None, "1997-09-30"), ("1997-10-01", "1998-06-30")),
        purchases=[h1, h2],
    )
    return c1, review, crm.rfm(h1)


def _png(ax, path: Path) -> None:  # type: ignore[no-untyped-def]
    ax.figure.savefig(path, dpi=80)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_pareto_png(cdnow_results, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    c, _, _ = cdnow_results
    ax = cplot.pareto(c)
    _png(ax, out_dir / "pareto.png")
    # The two cut-offs are drawn as dashed red lines at their value.
    ys = sorted(line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--")
    assert ys == [0.2, 0.5]
    by_count = crm.classify(
        pa.table(c).select(["customer_id", "value"]),
        customer="customer_id",
        value="value",
        by="count",
    )
    ax2 = cplot.pareto(by_count)
    xs = sorted(line.get_xdata()[0] for line in ax2.get_lines() if line.get_linestyle() == "--")
    assert xs == [0.05, 0.2]
    _png(ax2, out_dir / "pareto_by_count.png")


def test_transitions_png(cdnow_results, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _, r, _ = cdnow_results
    _png(cplot.transitions(r), out_dir / "transitions.png")


def test_rfm_heatmap_png(cdnow_results, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    _, _, f = cdnow_results
    _png(cplot.rfm_heatmap(f), out_dir / "rfm_heatmap.png")


def test_plots_reject_other_objects() -> None:
    with pytest.raises(TypeError):
        cplot.pareto(pa.table({"a": [1]}))  # type: ignore[arg-type]


def test_long_calls_release_the_gil() -> None:
    n = 2_000_000
    data = {"id": np.arange(n, dtype=np.int64), "v": np.random.default_rng(0).random(n)}
    done = threading.Event()
    spent: list[float] = []

    def work() -> None:
        t0 = time.perf_counter()
        crm.classify(data, customer="id", value="v")
        spent.append(time.perf_counter() - t0)
        done.set()

    th = threading.Thread(target=work)
    th.start()
    worst, last = 0.0, time.perf_counter()
    while not done.is_set():
        now = time.perf_counter()
        worst = max(worst, now - last)
        last = now
    th.join()
    # With the GIL held the main loop would stall for the whole Rust call.
    assert worst < spent[0] * 0.5, (worst, spent[0])

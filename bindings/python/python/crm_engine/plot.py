"""Plots of crm_engine results (needs matplotlib: ``pip install crm-engine[plot]``).

Each function draws on a matplotlib ``Axes`` (a new figure when none is
given) and returns it, so a notebook shows it and a script can save it::

    ax = crm_engine.plot.pareto(classification)
    ax.figure.savefig("pareto.png")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._results import Classification, Review, Rfm

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes as _Axes

__all__ = ["pareto", "transitions", "rfm_heatmap"]

_TIER_COLOURS = {
    "most_valuable": "#1b5e20",
    "major": "#43a047",
    "ordinary": "#a5d6a7",
    "inactive": "#bdbdbd",
}


def _axes(ax: _Axes | None, size: tuple[float, float]) -> _Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def _columns(result: Any, names: list[str]) -> dict[str, list[Any]]:
    import pyarrow as pa

    t = pa.table(result)
    return {n: t.column(n).to_pylist() for n in names}


def pareto(classification: Classification, *, ax: _Axes | None = None, title: str | None = None) -> _Axes:
    """The Pareto (Lorenz) curve of customer value with the tier cut-offs marked.

    x: cumulative share of customers with positive value, ranked by value
    (largest first); y: cumulative share of the positive total value. The
    customers of each tier are shaded in the tier's colour and the cut-offs
    are drawn as dashed lines (horizontal for a value basis, vertical for a
    count basis), labelled with their value.
    """
    if not isinstance(classification, Classification):
        raise TypeError("pareto() takes the result of crm_engine.classify")
    ax = _axes(ax, (7.5, 6.0))
    cols = _columns(classification, ["value", "rank", "tier"])
    positive = sorted(
        ((v, t) for v, r, t in zip(cols["value"], cols["rank"], cols["tier"]) if r is not None),
        key=lambda p: -p[0],
    )
    n = len(positive)
    total = sum(v for v, _ in positive)
    xs = [0.0]
    ys = [0.0]
    acc = 0.0
    for i, (v, _) in enumerate(positive, start=1):
        acc += v
        xs.append(i / n if n else 0.0)
        ys.append(acc / total if total else 0.0)
    # Shade each tier's run of customers.
    start = 0
    for tier in ("most_valuable", "major", "ordinary"):
        count = sum(1 for _, t in positive if t == tier)
        if count:
            seg_x = xs[start : start + count + 1]
            seg_y = ys[start : start + count + 1]
            share = (seg_y[-1] - seg_y[0]) * 100
            ax.fill_between(
                seg_x,
                seg_y,
                color=_TIER_COLOURS[tier],
                alpha=0.55,
                label=f"{tier}: {count} customers, {share:.1f} % of value",
            )
            start += count
    ax.plot(xs, ys, color="black", linewidth=1.5, label="cumulative value share")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", linewidth=1, label="equal value")
    first, second = (float(c) for c in classification.cutoffs)
    for c, name in ((first, "first cut-off"), (second, "second cut-off")):
        if classification.by == "value":
            ax.axhline(c, color="#c62828", linestyle="--", linewidth=1)
            ax.annotate(f"{name} {c:.0%} of value", (1.0, c), xytext=(-4, 3), textcoords="offset points",
                        ha="right", va="bottom", color="#c62828", fontsize=8)
        else:
            ax.axvline(c, color="#c62828", linestyle="--", linewidth=1)
            ax.annotate(f"{name} {c:.0%} of customers", (c, 0.02), xytext=(3, 0), textcoords="offset points",
                        rotation=90, ha="left", va="bottom", color="#c62828", fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("cumulative share of customers (ranked by value, largest first)")
    ax.set_ylabel("cumulative share of positive value")
    inactive = sum(1 for t in cols["tier"] if t == "inactive")
    ax.set_title(title or f"Customer value: Pareto curve and tiers ({n} customers with value, {inactive} inactive)")
    ax.xaxis.set_major_formatter(_percent())
    ax.yaxis.set_major_formatter(_percent())
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8, frameon=False)
    ax.grid(True, alpha=0.3)
    return ax


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


def _heatmap(ax: _Axes, counts: list[list[int]], rows: list[str], cols: list[str], cmap: str) -> None:
    image = ax.imshow(counts, cmap=cmap, aspect="auto")
    ax.set_xticks(range(len(cols)), labels=cols)
    ax.set_yticks(range(len(rows)), labels=rows)
    peak = max((max(r) for r in counts), default=0)
    for i, row in enumerate(counts):
        for j, v in enumerate(row):
            ax.text(j, i, f"{v}", ha="center", va="center", fontsize=9,
                    color="white" if peak and v > peak * 0.6 else "black")
    ax.figure.colorbar(image, ax=ax, label="customers")


def transitions(review: Review, *, ax: _Axes | None = None, title: str | None = None) -> _Axes:
    """The tier transition matrix of a review: customers by tier in the previous
    period (rows) and in the current one (columns); "absent" holds new (row)
    and lost (column) customers."""
    if not isinstance(review, Review):
        raise TypeError("transitions() takes the result of crm_engine.review")
    ax = _axes(ax, (7.0, 5.5))
    labels, counts = review.matrix()
    _heatmap(ax, counts, labels, labels, "Blues")
    ax.set_xlabel(f"tier in {review.current} (current)")
    ax.set_ylabel(f"tier in {review.previous} (previous)")
    ax.tick_params(axis="x", labelrotation=30)
    moved = ", ".join(f"{k} {v}" for k, v in review.counts.items())
    ax.set_title(title or f"Tier transitions {review.previous} -> {review.current}\n{moved}", fontsize=10)
    return ax


def rfm_heatmap(rfm: Rfm, *, ax: _Axes | None = None, title: str | None = None) -> _Axes:
    """The RFM frequency-by-recency heatmap: customers by recency score (rows,
    5 = most recent at the top) and frequency score (columns)."""
    if not isinstance(rfm, Rfm):
        raise TypeError("rfm_heatmap() takes the result of crm_engine.rfm")
    ax = _axes(ax, (6.5, 5.0))
    rows, cols, counts = rfm.heatmap()
    _heatmap(ax, counts, [str(r) for r in rows], [str(c) for c in cols], "YlOrRd")
    ax.set_xlabel("frequency score (1 = fewest purchase occasions, 5 = most)")
    ax.set_ylabel("recency score (5 = most recent)")
    ax.set_title(title or f"RFM: customers by recency and frequency score ({len(rfm)} customers)")
    return ax

"""Plots of crm_engine results (needs matplotlib: ``pip install crm-engine[plot]``).

Each function draws on a matplotlib ``Axes`` (a new figure when none is
given) and returns it, so a notebook shows it and a script can save it::

    ax = crm_engine.plot.pareto(classification)
    ax.figure.savefig("pareto.png")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._results import Classification, Review, Rfm
from ._vocabulary import VOCABULARY

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes as _Axes

__all__ = [
    "pareto",
    "transitions",
    "rfm_heatmap",
    "p_alive_matrix",
    "expected_purchases_matrix",
    "calibration_holdout",
    "holdout_groups",
    "tracking",
]

# One colour per tier, in crm-core's tier order (highest first).
_TIER_COLOURS = dict(
    zip(VOCABULARY["tier"], ("#1b5e20", "#43a047", "#a5d6a7", "#bdbdbd"), strict=True)
)


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


def pareto(
    classification: Classification, *, ax: _Axes | None = None, title: str | None = None
) -> _Axes:
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
        # float(): the value column is decimal128 unless money="float64".
        (
            (float(v), t)
            for v, r, t in zip(cols["value"], cols["rank"], cols["tier"])
            if r is not None
        ),
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
    # The tiers that take a share of value: all but the last (inactive).
    for tier in VOCABULARY["tier"][:-1]:
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
            ax.annotate(
                f"{name} {c:.0%} of value",
                (1.0, c),
                xytext=(-4, 3),
                textcoords="offset points",
                ha="right",
                va="bottom",
                color="#c62828",
                fontsize=8,
            )
        else:
            ax.axvline(c, color="#c62828", linestyle="--", linewidth=1)
            ax.annotate(
                f"{name} {c:.0%} of customers",
                (c, 0.02),
                xytext=(3, 0),
                textcoords="offset points",
                rotation=90,
                ha="left",
                va="bottom",
                color="#c62828",
                fontsize=8,
            )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("cumulative share of customers (ranked by value, largest first)")
    ax.set_ylabel("cumulative share of positive value")
    inactive = sum(1 for t in cols["tier"] if t == "inactive")
    ax.set_title(
        title
        or f"Customer value: Pareto curve and tiers ({n} customers with value, {inactive} inactive)"
    )
    ax.xaxis.set_major_formatter(_percent())
    ax.yaxis.set_major_formatter(_percent())
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8, frameon=False)
    ax.grid(True, alpha=0.3)
    return ax


def _percent() -> Any:
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(xmax=1.0, decimals=0)


def _heatmap(
    ax: _Axes, counts: list[list[int]], rows: list[str], cols: list[str], cmap: str
) -> None:
    image = ax.imshow(counts, cmap=cmap, aspect="auto")
    ax.set_xticks(range(len(cols)), labels=cols)
    ax.set_yticks(range(len(rows)), labels=rows)
    peak = max((max(r) for r in counts), default=0)
    for i, row in enumerate(counts):
        for j, v in enumerate(row):
            ax.text(
                j,
                i,
                f"{v}",
                ha="center",
                va="center",
                fontsize=9,
                color="white" if peak and v > peak * 0.6 else "black",
            )
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
    ax.set_title(
        title or f"Tier transitions {review.previous} -> {review.current}\n{moved}", fontsize=10
    )
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


def _matrix(
    model: Any,
    what: str,
    T: float,
    max_frequency: int | None,
    max_recency: float | None,
    t: float = 0.0,
) -> tuple[Any, Any, Any]:
    from .clv import _RepeatModel, prediction_matrix

    if not isinstance(model, _RepeatModel) or model.params is None:
        raise TypeError("takes a fitted crm_engine.clv BetaGeo, ModifiedBetaGeo or ParetoNBD")
    return prediction_matrix(
        model, T=T, what=what, t=t, max_frequency=max_frequency, max_recency=max_recency
    )


def p_alive_matrix(
    model: Any,
    *,
    T: float,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    ax: _Axes | None = None,
    title: str | None = None,
) -> _Axes:
    """P(alive) of a customer of age ``T`` for each frequency (rows) and recency (columns).

    Takes a fitted :class:`crm_engine.clv.BetaGeo`, ``ModifiedBetaGeo`` or
    ``ParetoNBD``. The top-right corner (many purchases, the last one
    recent) is alive; frequent buyers who went quiet are the ones to win back.
    """
    freqs, recs, p = _matrix(model, "p_alive", T, max_frequency, max_recency)
    ax = _axes(ax, (7.0, 5.5))
    im = ax.imshow(
        p,
        origin="lower",
        aspect="auto",
        cmap="RdYlGn",
        vmin=0.0,
        vmax=1.0,
        extent=(recs[0], recs[-1], freqs[0] - 0.5, freqs[-1] + 0.5),
    )
    ax.figure.colorbar(im, ax=ax, label="P(alive)")
    ax.set_xlabel("recency (time of the last purchase)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(title or f"P(alive) at age T = {T:g}")
    return ax


def expected_purchases_matrix(
    model: Any,
    *,
    t: float,
    T: float,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    ax: _Axes | None = None,
    title: str | None = None,
) -> _Axes:
    """Expected purchases in the next ``t`` periods for each frequency and recency, at age ``T``."""
    freqs, recs, e = _matrix(model, "expected_purchases", T, max_frequency, max_recency, t)
    ax = _axes(ax, (7.0, 5.5))
    im = ax.imshow(
        e,
        origin="lower",
        aspect="auto",
        cmap="viridis",
        extent=(recs[0], recs[-1], freqs[0] - 0.5, freqs[-1] + 0.5),
    )
    ax.figure.colorbar(im, ax=ax, label=f"expected purchases in the next {t:g}")
    ax.set_xlabel("recency (time of the last purchase)")
    ax.set_ylabel("frequency (repeat purchases)")
    ax.set_title(title or f"Expected purchases in the next {t:g}, age T = {T:g}")
    return ax


def calibration_holdout(
    model: Any,
    frequency: Any,
    recency: Any,
    T: Any,
    holdout_purchases: Any,
    *,
    holdout_length: float,
    max_frequency: int = 7,
    ax: _Axes | None = None,
    title: str | None = None,
) -> _Axes:
    """Mean purchases in the holdout period, actual against predicted, by calibration frequency.

    The standard check of a BTYD model (Fader, Hardie & Lee 2005, figure 3):
    customers are grouped by their calibration-period frequency (the last
    group is ``max_frequency`` and more); for each group the mean of
    ``holdout_purchases`` is drawn next to the mean conditional expectation
    for ``holdout_length``. The groups are the model's
    :meth:`~crm_engine.clv.BetaGeo.holdout_groups` (crm-core's); with a
    split at hand, ``holdout_groups(model.holdout_groups(split))`` draws the
    same and can also draw the other groupings.
    """
    data = {"frequency": frequency, "recency": recency, "T": T, "holdout": holdout_purchases}
    groups = model.holdout_groups(
        data,
        max_frequency=max_frequency,
        duration_holdout=holdout_length,
        frequency="frequency",
        recency="recency",
        T="T",
        holdout="holdout",
    )
    return holdout_groups(groups, ax=ax, title=title)


_GROUPINGS = {
    "frequency": "purchases in the calibration period (repeat occasions)",
    "recency": "recency at the calibration end (first to last purchase, whole {unit}s)",
    "time_since_last_purchase": "time since the last purchase at the calibration end (whole {unit}s)",
}


def holdout_groups(
    groups: Any,
    *,
    by: str = "frequency",
    unit: str | None = None,
    ax: _Axes | None = None,
    title: str | None = None,
) -> _Axes:
    """Mean holdout purchases, actual against predicted, per calibration
    group: a :class:`crm_engine.clv.HoldoutGroups` (a repeat model's
    ``holdout_groups(split)``) drawn for one grouping, ``by`` =
    ``"frequency"`` (Fader, Hardie & Lee 2005, figure 3), ``"recency"`` or
    ``"time_since_last_purchase"``; ``unit`` names the clock on the axis
    (by default the split's, ``"week"`` or ``"day"``)."""
    rows = groups.by(by)  # a ConfigError for another grouping
    unit = unit or getattr(groups, "unit", None) or "unit"
    cols = _columns(rows, ["group", "label", "actual_purchases", "predicted_purchases"])
    xs = cols["group"]
    ax = _axes(ax, (7.0, 5.0))
    ax.plot(xs, cols["actual_purchases"], "o-", label="actual", color="#1b5e20")
    ax.plot(xs, cols["predicted_purchases"], "s--", label="predicted", color="#1565c0")
    if by == "frequency":
        ax.set_xticks(xs, cols["label"])
    ax.set_xlabel(_GROUPINGS[by].format(unit=unit))
    ax.set_ylabel(f"mean purchases in the holdout ({groups.duration_holdout:g} {unit}s)")
    ax.set_title(title or "Calibration against holdout")
    ax.legend()
    return ax


def tracking(
    curve: Any,
    *,
    cumulative: bool = True,
    ax: _Axes | None = None,
    title: str | None = None,
) -> _Axes:
    """The tracking curve: the cohort's repeat purchases, actual against
    expected, period by period across calibration and holdout (Fader,
    Hardie & Lee 2005, figures 2 and 4), with the calibration end marked.

    Takes a :class:`crm_engine.clv.Tracking` (a repeat model's
    ``tracking(split)``); ``cumulative=False`` draws the repeat purchases
    per period instead of the running totals.
    """
    which = "cumulative" if cumulative else "repeat_purchases"
    cols = _columns(curve, ["period", "phase", f"actual_{which}", f"expected_{which}"])
    period = cols["period"]
    ax = _axes(ax, (8.0, 4.5))
    ax.plot(period, cols[f"actual_{which}"], "-", label="actual", color="#1b5e20")
    ax.plot(period, cols[f"expected_{which}"], "--", label="expected", color="#1565c0")
    calibration = sum(1 for p in cols["phase"] if p == "calibration")
    if 0 < calibration < len(period):
        ax.axvline(calibration + 0.5, color="#757575", linestyle=":", linewidth=1.2)
        ax.annotate(
            "calibration end",
            xy=(calibration + 0.5, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, -14),
            textcoords="offset points",
            color="#424242",
        )
    days = getattr(curve, "period_days", 7)
    period_name = "week" if days == 7 else f"period ({days} days)"
    ax.set_xlabel(period_name)
    ax.set_ylabel(
        "cumulative repeat purchases" if cumulative else f"repeat purchases per {period_name}"
    )
    ax.set_title(
        title
        or (
            "Tracking: cumulative repeat purchases"
            if cumulative
            else f"Tracking: repeat purchases per {period_name}"
        )
    )
    ax.legend(loc="upper left")
    return ax

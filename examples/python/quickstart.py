"""crm_engine quickstart: summarise the bundled CDNOW sample, classify the
customers into value tiers, show the tier table, review two periods, score
RFM and save the plots.

    python examples/python/quickstart.py [--out DIR]

Works with pyarrow, polars or pandas tables alike; this script reads the
sample with pandas and shows the results with pandas and polars.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import crm_engine as crm  # noqa: E402
import crm_engine.plot as cplot  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def load_cdnow() -> pd.DataFrame:
    """CDNOW_sample.txt: whitespace-separated, no header (see examples/data/README.md)."""
    df = pd.read_csv(
        ROOT / "examples" / "data" / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["original_id", "customer", "date", "cds", "amount"],
        dtype={"date": str},
    )
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    return df


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path("out/quickstart"), help="where to save the plots"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 120)

    tx = load_cdnow()
    print(f"{len(tx)} transactions of {tx['customer'].nunique()} customers")

    # 1. Per-customer summaries at the end of the sample, with the row counts.
    summary = crm.summarize(
        tx, customer="customer", time="date", amount="amount", quantity="cds", as_of="1998-06-30"
    )
    rec = summary.reconciliation
    print(
        f"\nrows read {rec.rows_read}, used {rec.rows_used}, skipped {rec.rows_skipped}, rejected {rec.rows_rejected}"
    )
    print(
        summary.to_pandas()[
            ["customer_id", "frequency", "recency", "T", "monetary_value", "total_spend"]
        ].head()
    )

    # 2. Value tiers and treatments (分析客户价值，区别对待).
    tiers = crm.classify(summary, customer="customer_id", value="total_spend")
    print(
        f"\npositive total value {tiers.total}, cut-offs {tiers.cutoffs[0]} / {tiers.cutoffs[1]} of value"
    )
    print("\nThe tier table:")
    print(tiers.tiers.to_pandas().to_string(index=False))
    print("\nTop customers (polars):")
    print(
        pl.DataFrame(tiers)
        .sort("rank", nulls_last=True)
        .select(
            "customer_id", "value", "rank", "share", "cumulative_share_after", "tier", "strategy"
        )
        .head(5)
    )

    # 3. Review: the first nine months against the next nine (动态管理，能上能下).
    first = crm.summarize(tx, customer="customer", time="date", amount="amount", as_of="1997-09-30")
    second = crm.summarize(
        tx,
        customer="customer",
        time="date",
        amount="amount",
        as_of="1998-06-30",
        since="1997-10-01",
    )
    # Membership comes from the customer base, here the inactivity rule (a
    # customer is lost after 365 days without a purchase) applied to the
    # purchase days of both summaries: nobody who bought by September 1997 can
    # lapse before October 1997, so nobody is lost, and the customers who did
    # not buy again are demoted to inactive (value 0).
    review = crm.review(
        crm.classify(first, customer="customer_id", value="total_spend"),
        crm.classify(second, customer="customer_id", value="total_spend"),
        labels=("1997-01..09", "1997-10..1998-06"),
        windows=((None, "1997-09-30"), ("1997-10-01", "1998-06-30")),
        purchases=[first, second],
        inactive_days=365,
    )
    print(f"\nReview {review.previous} -> {review.current}: {review.counts}")
    moves = review.to_pandas()
    quiet = moves[(moves["move"] == "demoted") & (moves["to_tier"] == "inactive")]
    print(f"{len(quiet)} customers demoted to inactive, {review.counts['lost']} lost")

    # 4. RFM scores and segments.
    scores = crm.rfm(summary)
    print("\nRFM segments:")
    print(scores.to_pandas()["segment"].value_counts().to_string())

    # 5. Plots.
    for name, ax in (
        ("pareto.png", cplot.pareto(tiers)),
        ("transitions.png", cplot.transitions(review)),
        ("rfm_heatmap.png", cplot.rfm_heatmap(scores)),
    ):
        ax.figure.savefig(args.out / name, dpi=100)
        print(f"saved {args.out / name}")


if __name__ == "__main__":
    main()

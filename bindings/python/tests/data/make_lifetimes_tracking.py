"""Writes the lifetimes reference file of test_tracking.py.

Run once, by hand, with lifetimes installed (0.11.3 with pandas 3.1 made the
committed file); the test suite only reads the file, so it checks it on a
machine without lifetimes:

    python bindings/python/tests/data/make_lifetimes_tracking.py

Input: examples/data/CDNOW_sample.txt (2,357 customers, first purchases in
Q1 1997). For each model at the parameters below, lifetimes'
``expected_cumulative_transactions(model, df, "date", "customer", t=546,
freq="D")``: 546 days from 1997-01-01 to 1998-06-30, element j (1-based)
the actual repeat transactions on the days before 1997-01-01 + j and the
predicted sum over customers of ``expected_number_of_purchases_up_to_time``
at (1997-01-01 + j − first purchase) days / 7 (the models are set on the
weekly clock with ``freq_multiplier=1`` on a daily ``freq``, so the time is
converted by hand; see ``predicted_weeks`` below).

Output ``cdnow_sample_tracking_lifetimes.csv``: columns ``model``, ``j``,
``date`` (1997-01-01 + j), ``actual``, ``predicted``, floats with 17
significant digits; the parameters are in ``PARAMETERS``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter
from lifetimes.utils import expected_cumulative_transactions

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[3] / "examples" / "data" / "CDNOW_sample.txt"

# BG/NBD: Fader, Hardie & Lee (2005); Pareto/NBD: Fader & Hardie's CDNOW
# note; MBG/NBD: near lifetimes' fit on the same calibration data.
PARAMETERS = {
    "bg_nbd": (BetaGeoFitter, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}),
    "mbg_nbd": (ModifiedBetaGeoFitter, {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614}),
    "pareto_nbd": (ParetoNBDFitter, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}),
}


class Weekly:
    """A fitted lifetimes model on weeks, asked in days."""

    def __init__(self, model: object) -> None:
        self.model = model

    def expected_number_of_purchases_up_to_time(self, t: object) -> object:
        return self.model.expected_number_of_purchases_up_to_time(np.asarray(t, float) / 7.0)


def transactions() -> pd.DataFrame:
    rows = [line.split() for line in SAMPLE.read_text().splitlines() if line.strip()]
    return pd.DataFrame(
        {
            "customer": [int(r[1]) for r in rows],
            "date": pd.to_datetime([r[2] for r in rows], format="%Y%m%d"),
        }
    )


def main() -> None:
    df = transactions()
    frames = []
    for name, (cls, params) in PARAMETERS.items():
        model = cls()
        model.params_ = pd.Series(params)
        out = expected_cumulative_transactions(
            Weekly(model), df, "date", "customer", t=546, freq="D"
        )
        out = out.reset_index(drop=True)
        out.insert(0, "j", np.arange(1, len(out) + 1))
        out.insert(0, "model", name)
        out["date"] = (pd.Timestamp("1997-01-01") + pd.to_timedelta(out["j"], unit="D")).dt.date
        frames.append(out[["model", "j", "date", "actual", "predicted"]])
    pd.concat(frames).to_csv(
        HERE / "cdnow_sample_tracking_lifetimes.csv", index=False, float_format="%.17g"
    )


if __name__ == "__main__":
    main()

"""Writes the lifetimes reference files of test_calibration_holdout.py.

Run once, by hand, with lifetimes installed (0.11.3 with pandas 3.1 made the
committed files); the test suite only reads the files, so it checks them
on a machine without lifetimes:

    python bindings/python/tests/data/make_lifetimes_calibration_holdout.py

Input: examples/data/CDNOW_sample.txt (2,357 customers). Output, one row per
customer, columns as lifetimes names them, floats with 17 significant digits (exact round trip):

- cdnow_sample_calibration_holdout_D.csv:
  calibration_and_holdout_data(freq="D"), calibration_period_end
  1997-09-30, observation_period_end 1998-06-30, monetary_value_col amount;
- cdnow_sample_calibration_holdout_W.csv: the same with freq="W" and the
  week-end (Sunday) dates 1997-09-28 and 1998-06-28.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from lifetimes.utils import calibration_and_holdout_data

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[3] / "examples" / "data" / "CDNOW_sample.txt"


def transactions() -> pd.DataFrame:
    rows = [line.split() for line in SAMPLE.read_text().splitlines() if line.strip()]
    return pd.DataFrame(
        {
            "customer": [int(r[1]) for r in rows],
            "date": pd.to_datetime([r[2] for r in rows], format="%Y%m%d"),
            "amount": [float(r[4]) for r in rows],
        }
    )


def main() -> None:
    df = transactions()
    for freq, cut, end in [("D", "1997-09-30", "1998-06-30"), ("W", "1997-09-28", "1998-06-28")]:
        out = calibration_and_holdout_data(
            df,
            "customer",
            "date",
            calibration_period_end=cut,
            observation_period_end=end,
            freq=freq,
            monetary_value_col="amount",
        )
        out.index.name = "customer"
        out.to_csv(HERE / f"cdnow_sample_calibration_holdout_{freq}.csv", float_format="%.17g")


if __name__ == "__main__":
    main()

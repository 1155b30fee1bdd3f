"""Writes the lifetimes reference file of test_holdout_groups.py.

Run once, by hand, with lifetimes installed (0.11.3 with pandas 3.1 made the
committed file); the test suite only reads the file, so it checks it on a
machine without lifetimes:

    python bindings/python/tests/data/make_lifetimes_holdout_groups.py

Input: examples/data/CDNOW_sample.txt (2,357 customers), lifetimes'
``calibration_and_holdout_data(freq="D")`` at calibration end 1997-09-30
and observation end 1998-06-30, put on the weekly clock (recency, T and
the holdout's 273 days divided by 7, as crm-engine's ``unit="week"``).
For each model at the parameters of make_lifetimes_tracking.py, each
customer's prediction is lifetimes'
``conditional_expected_number_of_purchases_up_to_time(39, frequency_cal,
recency_cal, T_cal)``, and each group's means are pandas' ``groupby`` means
of ``frequency_holdout`` and of the predictions, as lifetimes'
``plot_calibration_purchases_vs_holdout_purchases`` takes them:

- ``frequency``: by ``frequency_cal`` for 0 … 6, lifetimes' own groups,
  and one group of 7 and more;
- ``recency``: by ``floor(recency_cal)`` (whole weeks);
- ``time_since_last_purchase``: by ``floor(T_cal - recency_cal)``.

Output ``cdnow_sample_holdout_groups_lifetimes.csv``: columns ``model``,
``grouping``, ``group``, ``customers``, ``actual_purchases``,
``predicted_purchases``, floats with 17 significant digits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from lifetimes.utils import calibration_and_holdout_data
from make_lifetimes_calibration_holdout import transactions
from make_lifetimes_tracking import PARAMETERS

HERE = Path(__file__).resolve().parent


def main() -> None:
    split = calibration_and_holdout_data(
        transactions(),
        "customer",
        "date",
        calibration_period_end="1997-09-30",
        observation_period_end="1998-06-30",
        freq="D",
        monetary_value_col="amount",
    )
    split["recency_cal"] = split["recency_cal"] / 7.0
    split["T_cal"] = split["T_cal"] / 7.0
    duration = float(split["duration_holdout"].iloc[0]) / 7.0
    frames = []
    for name, (cls, params) in PARAMETERS.items():
        model = cls()
        model.params_ = pd.Series(params)
        df = split.copy()
        df["predictions"] = model.conditional_expected_number_of_purchases_up_to_time(
            duration, df["frequency_cal"], df["recency_cal"], df["T_cal"]
        )
        keys = {
            "frequency": np.minimum(df["frequency_cal"], 7),
            "recency": np.floor(df["recency_cal"]),
            "time_since_last_purchase": np.floor(df["T_cal"] - df["recency_cal"]),
        }
        for grouping, key in keys.items():
            g = df.groupby(key.astype(int).rename("group"))
            out = g[["frequency_holdout", "predictions"]].mean()
            if grouping == "frequency":
                # lifetimes' own groups 0 … 6: its plot's groupby on the exact values.
                own = df.groupby("frequency_cal")[["frequency_holdout", "predictions"]].mean()
                out.iloc[:7] = own.iloc[:7].to_numpy()
            out = out.rename(
                columns={
                    "frequency_holdout": "actual_purchases",
                    "predictions": "predicted_purchases",
                }
            )
            out.insert(0, "customers", g.size())
            out = out.reset_index()
            out.insert(0, "grouping", grouping)
            out.insert(0, "model", name)
            frames.append(out)
    pd.concat(frames).to_csv(
        HERE / "cdnow_sample_holdout_groups_lifetimes.csv", index=False, float_format="%.17g"
    )


if __name__ == "__main__":
    main()

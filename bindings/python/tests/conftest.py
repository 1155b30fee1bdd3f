"""Shared fixtures: the same data as pyarrow, polars and pandas tables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import matplotlib
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[3]
CDNOW = ROOT / "examples" / "data" / "CDNOW_sample.txt"
LIBS = ["pyarrow", "polars", "pandas"]


def as_lib(table: pa.Table, lib: str) -> Any:
    """The same table as a pyarrow table, a polars frame or a pandas frame."""
    if lib == "pyarrow":
        return table
    if lib == "polars":
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return frame
    if lib == "pandas":
        return table.to_pandas()
    raise ValueError(lib)


def lifetimes() -> Any:
    """The lifetimes package, the independent reference of the BTYD checks.

    run-tests.sh installs it and sets CRM_REQUIRE_LIFETIMES=1, so that its
    checks fail rather than skip there; elsewhere they skip without it.
    """
    if os.environ.get("CRM_REQUIRE_LIFETIMES") == "1":
        import lifetimes as module

        return module
    return pytest.importorskip("lifetimes")


@pytest.fixture(params=LIBS)
def lib(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def cdnow_arrow() -> pa.Table:
    """The CDNOW sample as an Arrow table: customer, date, cds, amount."""
    rows = [line.split() for line in CDNOW.read_text().splitlines() if line.strip()]
    dates = pd.to_datetime([r[2] for r in rows], format="%Y%m%d").date
    return pa.table(
        {
            "customer": pa.array([int(r[1]) for r in rows], pa.int64()),
            "date": pa.array(dates, pa.date32()),
            "cds": pa.array([int(r[3]) for r in rows], pa.int64()),
            "amount": pa.array([float(r[4]) for r in rows], pa.float64()),
        }
    )


@pytest.fixture(scope="session")
def cdnow() -> pa.Table:
    return cdnow_arrow()


@pytest.fixture(scope="session")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    configured = os.environ.get("CRM_TEST_OUT")
    if configured:
        p = Path(configured)
        p.mkdir(parents=True, exist_ok=True)
        return p
    return tmp_path_factory.mktemp("out")


@pytest.fixture(scope="session")
def cdnow_split(cdnow: pa.Table) -> Any:
    """The bundled CDNOW sample split 39 + 39 weeks (Fader, Hardie & Lee
    2005): calibration to 1997-09-30, observed to 1998-06-30."""
    import crm_engine as crm

    return crm.calibration_holdout(
        cdnow,
        customer="customer",
        time="date",
        amount="amount",
        calibration_end="1997-09-30",
        as_of="1998-06-30",
        unit="week",
    )

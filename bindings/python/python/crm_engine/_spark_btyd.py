"""crm_engine.spark's BTYD part: fit_btyd, predict_btyd and predict_clv.

Kept apart from :mod:`crm_engine.spark` (which re-exports them) so that each
file holds one concept; see that module's docs for the data flow. The
helpers of :mod:`crm_engine.spark` are imported inside the functions: that
module imports this one at its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import _crm_engine

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pyarrow as _pa
    from pyspark.sql import DataFrame

__all__ = ["fit_btyd", "predict_btyd", "predict_clv"]


def _compressed(df: DataFrame, columns: list[str]) -> _pa.Table:
    """Identical rows of ``columns`` counted by Spark, as an Arrow table with ``_crm_weight``.

    Sorted by the columns, so that the fit sees the same rows in the same
    order whatever the partitioning.
    """
    import pyarrow as pa
    from pyspark.sql import functions as F

    counted = df.groupBy(*columns).agg(F.count(F.lit(1)).alias("_crm_weight")).toArrow()
    data = {c: counted.column(c).cast(pa.float64()) for c in [*columns, "_crm_weight"]}
    return pa.table(data).sort_by([(c, "ascending") for c in columns])


def fit_btyd(
    summaries: DataFrame,
    model: Any = None,
    *,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary_value: str = "monetary_value",
) -> Any:
    """Fits a CLV model of :mod:`crm_engine.clv` on the driver from Spark-compressed data.

    BG/NBD, MBG/NBD and Pareto/NBD (default ``BetaGeo()``) need only the
    distinct (frequency, recency, T) triples and how many customers share
    each: a ``groupBy().count()`` in Spark, whose result is small whatever
    the number of customers (at most one row per distinct triple). Gamma-Gamma
    needs the distinct (frequency, monetary_value) pairs. The fit is the
    engine's, with those counts as weights, on the engine's fit set (the
    ``crm`` command's: repeat models leave out ``T = 0`` customers,
    Gamma-Gamma keeps repeat customers with a positive mean repeat spend;
    ``report["fit_set"]`` counts the others): the same as ``model.fit(summary)``
    on one machine, which compresses identical rows the same way.

    Returns:
        ``model``, fitted (picklable).
    """
    from .spark import (
        _column_names,
        _pyspark,
    )

    _pyspark()

    from .clv import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD

    if model is None:
        model = BetaGeo()
    if isinstance(model, GammaGamma):
        _column_names(
            summaries, {"frequency": frequency, "monetary_value": monetary_value}, "fit_btyd"
        )
        data = _compressed(summaries, [frequency, monetary_value])
        return model.fit(
            data, frequency=frequency, monetary_value=monetary_value, weights="_crm_weight"
        )
    if isinstance(model, (BetaGeo, ModifiedBetaGeo, ParetoNBD)):
        _column_names(summaries, {"frequency": frequency, "recency": recency, "T": T}, "fit_btyd")
        data = _compressed(summaries, [frequency, recency, T])
        return model.fit(data, frequency=frequency, recency=recency, T=T, weights="_crm_weight")
    raise _crm_engine.argument_error("fit_btyd", "model", "model")


def predict_btyd(
    summaries: DataFrame,
    model: Any,
    *,
    t: float,
    customer: str = "customer_id",
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    threads: int | None = None,
) -> DataFrame:
    """Per-customer predictions of a fitted repeat-purchase model, computed in the tasks.

    The model (a few hundred bytes pickled) travels with the tasks; each task
    predicts its customers with the engine. Returns ``customer_id``,
    ``p_alive`` and ``expected_purchases`` (conditional expected purchases in
    the next ``t`` time units), equal to the single-machine predictions.
    """
    from .spark import (
        _arrow_schema,
        _batches,
        _column_names,
        _limit_threads,
        _pyspark,
        _spark_schema,
        _task_threads,
        conform,
    )

    _pyspark()
    import pyarrow as pa

    model._values()  # raises ConfigError when not fitted
    _column_names(
        summaries,
        {"customer": customer, "frequency": frequency, "recency": recency, "T": T},
        "predict_btyd",
    )
    threads = _task_threads(summaries, threads)
    t = float(t)
    df = summaries.select(customer, frequency, recency, T)
    in_schema = _arrow_schema(df.schema)
    out_schema = pa.schema(
        [
            pa.field("customer_id", in_schema.field(customer).type),
            ("p_alive", pa.float64()),
            ("expected_purchases", pa.float64()),
        ]
    )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        _limit_threads(threads)
        for b in batches:
            f, r, age = (b.column(c).cast(pa.float64()) for c in (frequency, recency, T))
            out = pa.table(
                {
                    "customer_id": b.column(customer),
                    "p_alive": pa.array(model.p_alive(f, r, age), pa.float64()),
                    "expected_purchases": pa.array(
                        model.conditional_expected_purchases(t, f, r, age), pa.float64()
                    ),
                }
            )
            yield from _batches(conform(out, out_schema))

    return df.mapInArrow(run, _spark_schema(out_schema))


def predict_clv(
    summaries: DataFrame,
    transaction_model: Any,
    spend_model: Any,
    *,
    months: int = 12,
    discount_rate: float = 0.01,
    unit: str = "day",
    customer: str = "customer_id",
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    monetary_value: str = "monetary_value",
    threads: int | None = None,
) -> DataFrame:
    """The ``crm clv predict`` table of every customer, computed in the tasks.

    The layout of :func:`crm_engine.clv.predictions` (``customer_id``,
    ``p_alive``, ``expected_purchases``, ``expected_spend``, ``clv`` over
    ``months`` months at ``discount_rate`` a month, on the clock ``unit``),
    equal to the single-machine table row for row.
    """
    from .spark import (
        _arrow_schema,
        _batches,
        _column_names,
        _limit_threads,
        _pyspark,
        _spark_schema,
        _task_threads,
        conform,
    )

    _pyspark()
    import pyarrow as pa

    from .clv import predictions

    transaction_model._values()  # raise ConfigError on the driver when not fitted
    spend_model._values()
    cols = [customer, frequency, recency, T, monetary_value]
    _column_names(
        summaries,
        {
            "customer": customer,
            "frequency": frequency,
            "recency": recency,
            "T": T,
            "monetary_value": monetary_value,
        },
        "predict_clv",
    )
    threads = _task_threads(summaries, threads)
    df = summaries.select(*cols)
    in_schema = _arrow_schema(df.schema)
    out_schema = pa.schema(
        [
            pa.field("customer_id", in_schema.field(customer).type),
            ("p_alive", pa.float64()),
            ("expected_purchases", pa.float64()),
            ("expected_spend", pa.float64()),
            ("clv", pa.float64()),
        ]
    )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        _limit_threads(threads)
        for b in batches:
            data = {c: b.column(c) for c in cols}
            data = {c: (v if c == customer else v.cast(pa.float64())) for c, v in data.items()}
            out = pa.table(
                predictions(
                    transaction_model,
                    spend_model,
                    pa.table(data),
                    months=months,
                    discount_rate=discount_rate,
                    unit=unit,
                    customer=customer,
                    frequency=frequency,
                    recency=recency,
                    T=T,
                    monetary_value=monetary_value,
                )
            )
            yield from _batches(conform(out, out_schema))

    return df.mapInArrow(run, _spark_schema(out_schema))

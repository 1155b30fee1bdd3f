"""crm_engine on Spark: the same answers as on one machine, with Spark as the engine.

``pip install crm-engine[spark]`` (PySpark 4). Every function takes a Spark
DataFrame and returns Spark DataFrames (or, for a fit, a fitted model); the
Rust engine runs inside the Spark tasks through ``mapInArrow``:

- :func:`summarize`: transactions are repartitioned by customer, so that all
  the rows of a customer meet in one task, and each task runs
  :func:`crm_engine.summarize` on its rows. The result holds the summaries
  (the schema of the single-machine :class:`crm_engine.Summary`) and one
  reconciliation row per partition; the counts add up to the single-machine
  reconciliation (``rows_read = rows_used + rows_skipped + rows_rejected``).
- :func:`classify`: value tiers with the single-machine rule, tie groups
  included, without collecting customers to the driver. Customers are range
  partitioned by value (largest first); each task sends the driver one small
  row (count, exact total, largest and smallest value and the sizes of the
  tie groups at both ends); the driver derives, for every partition, what
  lies above it (and the tie-group members in other partitions); each task
  then labels its customers. All sums and cut-off comparisons are exact
  decimal arithmetic, as in crm-core.
- :func:`fit_btyd`: the (x, t_x, T) triples (or (x, m) for Gamma-Gamma) are
  compressed with a Spark ``groupBy().count()`` (small whatever the number of
  customers), collected, and fitted on the driver with the weights;
  :func:`predict_btyd` ships the fitted model (pickled) to the tasks and
  predicts per partition; :func:`predict_clv` gives the ``crm clv predict``
  table (``clv_predictions``) the same way. Which customers a fit uses is
  the engine's rule, the one the ``crm`` command applies.

Inside tasks the extension uses ``threads`` worker threads (default: Spark's
``spark.task.cpus``, normally 1), through the ``CRM_ENGINE_THREADS``
environment variable. The extension starts no thread at import and keeps no
thread pool, so it is safe in Spark's forked Python workers.

Arrow batches handed to Spark are cast to the declared schema exactly
(:func:`conform`): no ``large_string`` or view types, dictionary columns
decoded, decimals as ``decimal128`` with the declared scale.

See docs/SCALING.md of the repository for the data flow and measured figures.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import TYPE_CHECKING, Any, Literal

from ._errors import ConfigError, DuplicateCustomerError, InternalError, InvalidValueError
from ._results import Reconciliation

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pyarrow as _pa
    from pyspark.sql import DataFrame

__all__ = [
    "SparkSummary",
    "summarize",
    "classify",
    "fit_btyd",
    "predict_btyd",
    "predict_clv",
    "conform",
    "RECONCILIATION_COUNTS",
]

RECONCILIATION_COUNTS: tuple[str, ...] = (
    "rows_read",
    "rows_used",
    "rows_skipped_after_as_of",
    "rows_skipped_before_window",
    "rows_rejected",
    "rows_rejected_without_amount",
)
"""The row counts of a partition's reconciliation, summed over partitions."""

_RECONCILIATION_AMOUNTS: tuple[str, ...] = (
    "amount_read",
    "amount_used",
    "amount_skipped_after_as_of",
    "amount_skipped_before_window",
    "amount_rejected",
)

# Exact decimal arithmetic for sums and cut-off comparisons: values have at
# most 29 significant digits, a sum over 2^64 of them at most 49, a product
# with a cut-off at most 78; 120 digits never round.
_EXACT_DIGITS = 120


def _pyspark() -> Any:
    try:
        import pyspark
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "crm_engine.spark needs PySpark 4: pip install 'crm-engine[spark]'"
        ) from None
    return pyspark


def _limit_threads(threads: int) -> None:
    """Limits the extension's worker threads in this (task) process."""
    os.environ["CRM_ENGINE_THREADS"] = str(threads)


def _task_threads(df: DataFrame, threads: int | None) -> int:
    if threads is None:
        try:
            threads = int(df.sparkSession.conf.get("spark.task.cpus", "1") or "1")
        except Exception:  # noqa: BLE001 - a missing or odd setting means 1
            threads = 1
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ConfigError(f"threads must be a positive integer, got {threads!r}", rule="threads")
    return threads


def _partition_id() -> int:
    from pyspark import TaskContext

    ctx = TaskContext.get()
    if ctx is None:  # pragma: no cover - only outside a Spark task
        raise InternalError("crm_engine.spark: not inside a Spark task")
    return int(ctx.partitionId())


def conform(table: _pa.Table | _pa.RecordBatch, schema: _pa.Schema) -> _pa.Table:
    """``table`` with exactly the types of ``schema`` (the schema declared to Spark).

    ``large_string`` and ``string_view`` become ``string`` (likewise for
    binary), dictionary columns are decoded, decimals are cast to the declared
    ``decimal128(precision, scale)``. A cast that would lose data (a decimal
    with more places than the declared scale, a value out of range) raises
    :class:`crm_engine.InvalidValueError` naming the column.

    >>> import pyarrow as pa
    >>> t = pa.table({"id": pa.array(["a"], pa.large_string())})
    >>> conform(t, pa.schema([("id", pa.string())])).schema.field("id").type
    DataType(string)
    """
    import pyarrow as pa

    columns = []
    for field in schema:
        if field.name not in table.column_names:
            raise InvalidValueError(
                f"conform: column `{field.name}` of the declared schema is missing",
                column=field.name,
                rule="declared_schema",
            )
        column = table.column(field.name)
        if not column.type.equals(field.type):
            try:
                column = column.cast(field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                raise InvalidValueError(
                    f"conform: column `{field.name}` of type {column.type} does not fit the declared type {field.type}: {e}",
                    column=field.name,
                    rule="declared_schema",
                ) from None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _batches(table: _pa.Table) -> Iterator[_pa.RecordBatch]:
    yield from table.combine_chunks().to_batches()


def _arrow_schema(spark_schema: Any) -> _pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(spark_schema)


def _spark_schema(arrow_schema: _pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema)


def _column_names(df: DataFrame, names: list[str | None], what: str) -> None:
    for name in names:
        if name is not None and name not in df.columns:
            from ._errors import ColumnError

            raise ColumnError(
                f"{what}: column `{name}` not found (columns: {', '.join(df.columns)})", column=name
            )


# --------------------------------------------------------------------------
# Summaries


@dataclass
class SparkSummary:
    """The result of :func:`summarize`.

    Attributes:
        summaries: one row per customer, the columns of the single-machine
            :class:`crm_engine.Summary` with the same types.
        reconciliation: one row per partition: ``partition``, the counts of
            :data:`RECONCILIATION_COUNTS`, and ``details`` (the partition's
            full reconciliation as JSON; listed rejections carry row numbers
            within the partition's rows, in the order the task read them).
        as_of, since, unit: as given.
    """

    summaries: DataFrame
    reconciliation: DataFrame
    as_of: str
    since: str | None
    unit: str
    _combined: DataFrame

    def totals(self) -> Reconciliation:
        """The reconciliation of all partitions together (collects one row per partition).

        Counts and amounts are summed exactly; ``details["rejected_by_rule"]``
        sums the counts per column and rule; ``details["rejections"]`` lists
        each partition's listed rejections with its ``partition``.
        """
        rows = self.reconciliation.orderBy("partition").collect()
        return _merge_reconciliations(
            [(int(r["partition"]), json.loads(r["details"])) for r in rows]
        )

    def unpersist(self) -> None:
        """Releases the cached per-partition results."""
        self._combined.unpersist()


def _merge_reconciliations(parts: list[tuple[int, dict[str, Any]]]) -> Reconciliation:
    out: dict[str, Any] = {k: 0 for k in RECONCILIATION_COUNTS}
    amounts = {k: Decimal(0) for k in _RECONCILIATION_AMOUNTS}
    by_rule: dict[tuple[str, str], dict[str, Any]] = {}
    rejections: list[dict[str, Any]] = []
    truncated = False
    with localcontext() as ctx:
        ctx.prec = _EXACT_DIGITS
        for partition, d in parts:
            for k in RECONCILIATION_COUNTS:
                out[k] += int(d.get(k, 0))
            for k in _RECONCILIATION_AMOUNTS:
                amounts[k] += Decimal(str(d.get(k, "0")))
            for r in d.get("rejected_by_rule", []):
                key = (str(r.get("column")), str(r.get("reason")))
                acc = by_rule.setdefault(key, {**r, "rows": 0})
                acc["rows"] = int(acc["rows"]) + int(r.get("rows", 0))
            rejections += [dict(r, partition=partition) for r in d.get("rejections", [])]
            truncated = truncated or bool(d.get("rejections_truncated", False))
    out.update({k: str(v.normalize()) if v != 0 else "0" for k, v in amounts.items()})
    out["rejected_by_rule"] = sorted(
        by_rule.values(), key=lambda r: (str(r["column"]), str(r["reason"]))
    )
    out["rejections"] = rejections
    out["rejections_truncated"] = truncated
    return Reconciliation.from_json(json.dumps(out))


def summarize(
    transactions: DataFrame,
    *,
    customer: str,
    time: str,
    amount: str,
    as_of: Any,
    unit: Literal["day", "week"] = "day",
    since: Any = None,
    tz: str = "UTC",
    strict: bool = False,
    quantity: str | None = None,
    margin: str | None = None,
    discount: str | None = None,
    naive: Literal["wall_clock", "utc"] = "wall_clock",
    amount_scale: int | None = None,
    max_listed_rejections: int | None = None,
    partitions: int | None = None,
    threads: int | None = None,
    persist: bool = True,
) -> SparkSummary:
    """Per-customer summaries of a Spark DataFrame of transactions, with the reconciliation.

    The parameters are those of :func:`crm_engine.summarize`; the result has
    the same rows (in no particular order) and the same column names. Money
    columns are ``float64`` here (as with ``money="float64"`` on one
    machine): a Spark column has one declared type, and the exact decimal's
    scale follows each partition's data. The transactions are repartitioned by ``customer`` into ``partitions``
    partitions (default ``spark.sql.shuffle.partitions``), then every task
    summarises its rows with the Rust engine. Null customer ids hash to one
    partition and are rejected and counted there, as on one machine.

    Args:
        partitions: number of partitions of the shuffle by customer.
        threads: worker threads of the extension in each task (default
            ``spark.task.cpus``).
        persist: cache the per-partition results (summaries and
            reconciliation come from one pass); :meth:`SparkSummary.unpersist`
            releases them.

    Returns:
        A :class:`SparkSummary` with ``summaries`` and ``reconciliation``
        DataFrames; ``totals()`` sums the reconciliation.
    """
    _pyspark()
    import pyarrow as pa
    from pyspark.sql import functions as F

    from . import _date_text
    from . import summarize as summarize_table

    _column_names(transactions, [customer, time, amount, quantity, margin, discount], "summarize")
    threads = _task_threads(transactions, threads)
    as_of_text = _date_text("as_of", as_of)
    since_text = None if since is None else _date_text("since", since)
    options: dict[str, Any] = dict(
        customer=customer,
        time=time,
        amount=amount,
        as_of=as_of_text,
        unit=unit,
        since=since_text,
        tz=tz,
        strict=bool(strict),
        quantity=quantity,
        margin=margin,
        discount=discount,
        naive=naive,
        amount_scale=amount_scale,
        max_listed_rejections=max_listed_rejections,
        money="float64",
    )
    wanted = list(
        dict.fromkeys(
            c for c in (customer, time, amount, quantity, margin, discount) if c is not None
        )
    )
    df = transactions.select(*wanted)
    input_schema = _arrow_schema(df.schema)
    # The output schema is the engine's own: summarise no rows on the driver
    # (this also checks every option before any task runs).
    empty = summarize_table(input_schema.empty_table(), **options)
    summary_schema = pa.schema([f.with_nullable(True) for f in empty.to_arrow().schema])
    extra = [pa.field("_crm_partition", pa.int32())] + [
        pa.field(f"_crm_{k}", pa.int64()) for k in RECONCILIATION_COUNTS
    ]
    extra.append(pa.field("_crm_details", pa.string()))
    combined_schema = pa.schema(list(summary_schema) + extra)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        _limit_threads(threads)
        pid = _partition_id()
        rows = list(batches)
        table = pa.Table.from_batches(rows) if rows else input_schema.empty_table()
        s = summarize_table(table, **options)
        out = conform(s.to_arrow(), summary_schema)
        n = out.num_rows
        for f in extra:
            out = out.append_column(f, pa.nulls(n, f.type))
        yield from _batches(out)
        d = s.reconciliation.details
        rec = {f.name: pa.nulls(1, f.type) for f in summary_schema}
        rec["_crm_partition"] = pa.array([pid], pa.int32())
        for k in RECONCILIATION_COUNTS:
            rec[f"_crm_{k}"] = pa.array([int(d.get(k, 0))], pa.int64())
        rec["_crm_details"] = pa.array([json.dumps(d)], pa.string())
        yield from _batches(pa.table(rec, schema=combined_schema))

    repartitioned = df.repartition(partitions, customer) if partitions else df.repartition(customer)
    combined = repartitioned.mapInArrow(run, _spark_schema(combined_schema))
    if persist:
        combined = combined.persist()
    is_rec = F.col("_crm_partition").isNotNull()
    summaries = combined.where(~is_rec).select(*summary_schema.names)
    reconciliation = combined.where(is_rec).select(
        F.col("_crm_partition").alias("partition"),
        *[F.col(f"_crm_{k}").alias(k) for k in RECONCILIATION_COUNTS],
        F.col("_crm_details").alias("details"),
    )
    return SparkSummary(summaries, reconciliation, as_of_text, since_text, unit, combined)


# --------------------------------------------------------------------------
# Tiers


def _decimals(column: Any, name: str, ids: Any, customer: str) -> list[Decimal]:
    """Exact decimals of a value column, as crm_engine reads them (floats by their shortest repr)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = column.type
    if column.null_count:
        i = pc.index(pc.is_null(column), True).as_py()
        raise InvalidValueError(
            f"classify: customer {ids[i].as_py()}: column `{name}` is null",
            column=name,
            customer=str(ids[i].as_py()),
            rule="finite_value",
        )
    if pa.types.is_floating(t):
        values = column.to_pylist()
        out = []
        for i, x in enumerate(values):
            if x != x or x in (float("inf"), float("-inf")):
                raise InvalidValueError(
                    f"classify: customer {ids[i].as_py()}: column `{name}` is not finite",
                    column=name,
                    customer=str(ids[i].as_py()),
                    rule="finite_value",
                )
            out.append(Decimal(repr(float(x))))
        return out
    if pa.types.is_integer(t):
        return [Decimal(int(x)) for x in column.to_pylist()]
    if pa.types.is_decimal(t):
        return list(column.to_pylist())
    raise InvalidValueError(
        f"classify: column `{name}` has type {t}; expected double, integer or decimal",
        column=name,
        rule="column_type",
    )


@dataclass(frozen=True)
class _Others:
    """What other partitions hold relative to one value: greater count and sum, and equal count."""

    greater_n: int
    greater_s: Decimal
    tie_n: int


@dataclass(frozen=True)
class _PartitionStats:
    partition: int
    n: int  # positive values
    total: Decimal
    hi: Decimal | None
    lo: Decimal | None
    n_hi: int
    s_hi: Decimal
    n_lo: int
    s_lo: Decimal
    rows: int


def _stats_of(decimals: list[Decimal], pid: int, rows: int) -> _PartitionStats:
    """One partition's statistics: positive count, exact total, end values and their tie groups."""
    with localcontext() as ctx:
        ctx.prec = _EXACT_DIGITS
        pos = [d for d in decimals if d > 0]
        if not pos:
            return _PartitionStats(
                pid, 0, Decimal(0), None, None, 0, Decimal(0), 0, Decimal(0), rows
            )
        hi, lo = max(pos), min(pos)
        n_hi = sum(1 for d in pos if d == hi)
        n_lo = sum(1 for d in pos if d == lo)
        return _PartitionStats(
            pid, len(pos), sum(pos, Decimal(0)), hi, lo, n_hi, hi * n_hi, n_lo, lo * n_lo, rows
        )


def _others(parts: list[_PartitionStats], p: int, v: Decimal | None) -> _Others:
    """Greater count/sum and ties of value ``v`` in partitions other than ``p``.

    ``v=None`` is a value strictly inside partition ``p``'s range. Partitions
    must not overlap except at their end values (a range partitioning);
    otherwise this raises instead of answering wrongly.
    """
    me = parts[p]
    gn, gs, tn = 0, Decimal(0), 0
    for q in parts:
        if q.partition == me.partition or q.n == 0:
            continue
        assert q.hi is not None and q.lo is not None and me.hi is not None and me.lo is not None
        if v is None:
            if q.lo >= me.hi:
                gn, gs = gn + q.n, gs + q.total
            elif q.hi <= me.lo:
                pass
            else:
                raise InternalError(
                    f"crm_engine.spark.classify: partitions {me.partition} and {q.partition} overlap; the value ranking is not a range partitioning"
                )
        elif q.lo > v:
            gn, gs = gn + q.n, gs + q.total
        elif q.hi < v:
            pass
        elif q.lo == v == q.hi:
            tn += q.n
        elif q.lo == v:
            gn, gs, tn = gn + q.n - q.n_lo, gs + q.total - q.s_lo, tn + q.n_lo
        elif q.hi == v:
            tn += q.n_hi
        else:
            raise InternalError(
                f"crm_engine.spark.classify: partitions {me.partition} and {q.partition} overlap; the value ranking is not a range partitioning"
            )
    return _Others(gn, gs, tn)


_RATIO_CONTEXT = Context(prec=_EXACT_DIGITS, rounding=ROUND_HALF_EVEN)
_RATIO_QUANTUM = Decimal(1).scaleb(-28)
# Powers of ten as the engine's literals (1e23 and above are not exact doubles).
_POWERS_OF_TEN = tuple(float(f"1e{k}") for k in range(29))


def _share(part: Decimal, total: Decimal) -> float:
    """A ratio in [0, 1] as the engine reports it.

    The engine divides in ``rust_decimal`` (28 decimal places) and converts
    mantissa / 10^scale as doubles; this does the same with Python's exact
    decimals. The two agree exactly for most ratios and otherwise within an
    ulp or two (``rust_decimal`` may round the 28th place differently).
    """
    if total == 0:
        return float("nan")
    if part == total:
        return 1.0
    q = _RATIO_CONTEXT.divide(part, total).quantize(_RATIO_QUANTUM, context=_RATIO_CONTEXT)
    exponent = q.as_tuple().exponent
    assert isinstance(exponent, int)
    if exponent >= 0 or -exponent >= len(_POWERS_OF_TEN):
        return float(q)
    return float(int(q.scaleb(-exponent))) / _POWERS_OF_TEN[-exponent]


def classify(
    values: DataFrame,
    *,
    customer: str,
    value: str,
    by: Literal["value", "count"] = "value",
    cutoffs: tuple[Any, Any] | None = None,
    partitions: int | None = None,
    check_unique: bool = True,
) -> DataFrame:
    """Value tiers of a Spark DataFrame of customers, equal to :func:`crm_engine.classify`.

    Returns one row per customer (in no particular order) with the tier
    figures of the single-machine :class:`crm_engine.Classification`:
    ``customer_id``, ``value``, ``rank``, ``share``,
    ``cumulative_share_before``, ``cumulative_share``, ``tie_group_size``,
    ``tier``, ``decision`` (tier and decision as strings). Tiers, ranks, tie
    group sizes and decisions are exact; the shares are the exact ratios
    rounded to 28 digits and then to a double (the single-machine figures
    agree exactly for most customers, otherwise within an ulp or two).

    No customer list reaches the driver: customers are range partitioned by
    value (largest first), each task reports one row (positive count, exact
    total, largest and smallest value and their tie-group sizes), the driver
    computes what lies above each partition and which tie groups continue in
    neighbouring partitions, and each task labels its customers. A tie group
    is never split, even when it spans partitions.

    Args:
        values: one row per customer.
        customer, value: column names (value: double, integer or decimal).
        by, cutoffs: as in :func:`crm_engine.classify`.
        partitions: partitions of the value ranking (default
            ``spark.sql.shuffle.partitions``).
        check_unique: check that no customer appears twice (one more
            shuffle of the customer ids); a duplicate raises
            :class:`crm_engine.DuplicateCustomerError`.

    Behaviours and treatments (per customer, from its own figures and tier)
    are not computed here: this function gives the tier figures only.

    Raises:
        DuplicateCustomerError: a customer appears twice (``check_unique``).
        ConfigError: invalid ``by`` or ``cutoffs``.
        ColumnError: a named column is missing.
        InvalidValueError: (inside the tasks, surfaced by Spark as a
            ``PythonException`` with the same message) a null id, or a null,
            NaN or infinite value, naming the customer id and column.
    """
    _pyspark()
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyspark.sql import functions as F

    from . import classify as classify_table

    _column_names(values, [customer, value], "classify")
    # Validate by and cut-offs with the engine, and take the exact cut-offs.
    probe = classify_table(
        pa.table({"c": [1], "v": [1]}), customer="c", value="v", by=by, cutoffs=cutoffs
    )
    first, second = probe.cutoffs
    basis = probe.by
    df = values.select(F.col(customer).alias("customer_id"), F.col(value).alias("value"))
    if check_unique:
        dup = df.groupBy("customer_id").count().where(F.col("count") > 1).limit(1).collect()
        if dup:
            cid = dup[0]["customer_id"]
            raise DuplicateCustomerError(
                f"classify: customer {cid} appears {dup[0]['count']} times; the rule is one row per customer",
                column=customer,
                customer=str(cid),
                rule="one_row_per_customer",
            )
    n_parts = partitions or int(
        df.sparkSession.conf.get("spark.sql.shuffle.partitions", "200") or "200"
    )
    # Both passes must see the same partitions: the range bounds come from a
    # sample, which a recomputation could draw differently. A local
    # checkpoint materialises the ranking once (executor storage, freed when
    # the result is garbage collected); the label pass also checks it.
    ranked = df.repartitionByRange(n_parts, F.col("value").desc()).localCheckpoint(eager=True)
    in_schema = _arrow_schema(ranked.schema)

    def exact_positive(batches: Iterator[pa.RecordBatch]) -> tuple[pa.Table, list[Decimal]]:
        rows = list(batches)
        table = pa.Table.from_batches(rows) if rows else in_schema.empty_table()
        if table.column("customer_id").null_count:
            raise InvalidValueError(
                "classify: a customer id is null", column=customer, rule="customer_id"
            )
        return table, _decimals(table.column("value"), value, table.column("customer_id"), customer)

    stats_schema = pa.schema(
        [
            ("partition", pa.int32()),
            ("n", pa.int64()),
            ("total", pa.string()),
            ("hi", pa.string()),
            ("lo", pa.string()),
            ("n_hi", pa.int64()),
            ("s_hi", pa.string()),
            ("n_lo", pa.int64()),
            ("s_lo", pa.string()),
            ("rows", pa.int64()),
        ]
    )

    def stats(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pid = _partition_id()
        table, decimals = exact_positive(batches)
        s = _stats_of(decimals, pid, table.num_rows)
        yield pa.RecordBatch.from_pylist(
            [
                {
                    "partition": pid,
                    "n": s.n,
                    "total": str(s.total),
                    "hi": None if s.hi is None else str(s.hi),
                    "lo": None if s.lo is None else str(s.lo),
                    "n_hi": s.n_hi,
                    "s_hi": str(s.s_hi),
                    "n_lo": s.n_lo,
                    "s_lo": str(s.s_lo),
                    "rows": s.rows,
                }
            ],
            schema=stats_schema,
        )

    collected = ranked.mapInArrow(stats, _spark_schema(stats_schema)).collect()
    parts = sorted(
        (
            _PartitionStats(
                int(r["partition"]),
                int(r["n"]),
                Decimal(r["total"]),
                None if r["hi"] is None else Decimal(r["hi"]),
                None if r["lo"] is None else Decimal(r["lo"]),
                int(r["n_hi"]),
                Decimal(r["s_hi"]),
                int(r["n_lo"]),
                Decimal(r["s_lo"]),
                int(r["rows"]),
            )
            for r in collected
        ),
        key=lambda s: s.partition,
    )
    if [s.partition for s in parts] != list(range(len(parts))):
        raise InternalError("crm_engine.spark.classify: partition statistics are incomplete")
    with localcontext() as ctx:
        ctx.prec = _EXACT_DIGITS
        total = sum((s.total for s in parts), Decimal(0))
        positive = sum(s.n for s in parts)
        # What lies in other partitions, for each partition's largest value,
        # smallest value and any value strictly between.
        context = {
            s.partition: (
                _others(parts, s.partition, s.hi),
                _others(parts, s.partition, None),
                _others(parts, s.partition, s.lo),
            )
            for s in parts
            if s.n > 0
        }
    basis_total = total if basis == "value" else Decimal(positive)
    out_schema = pa.schema(
        [
            pa.field("customer_id", in_schema.field("customer_id").type),
            ("value", pa.float64()),
            ("rank", pa.int64()),
            ("share", pa.float64()),
            ("cumulative_share_before", pa.float64()),
            ("cumulative_share", pa.float64()),
            ("tie_group_size", pa.int64()),
            ("tier", pa.string()),
            ("decision", pa.string()),
        ]
    )

    def label(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pid = _partition_id()
        table, decimals = exact_positive(batches)
        mine = _stats_of(decimals, pid, table.num_rows)
        if mine != parts[pid]:
            raise InternalError(
                f"crm_engine.spark.classify: partition {pid} changed between the two passes (rule: stable_partitioning)"
            )
        n = table.num_rows
        rank: list[int | None] = [None] * n
        share: list[float | None] = [None] * n
        before_share: list[float | None] = [None] * n
        after_share: list[float | None] = [None] * n
        size = [1] * n
        tier = ["inactive"] * n
        decision = ["non_positive_value"] * n
        order = [
            i
            for i in pc.sort_indices(
                table.column("value"), sort_keys=[("value", "descending")]
            ).to_pylist()
        ]
        with localcontext() as ctx:
            ctx.prec = _EXACT_DIGITS
            local_n, local_s = 0, Decimal(0)
            k = 0
            while k < n:
                v = decimals[order[k]]
                if v <= 0:
                    break
                j = k
                while j < n and decimals[order[j]] == v:
                    j += 1
                group = order[k:j]
                head, inner, tail = context[pid]
                o = head if v == mine.hi else tail if v == mine.lo else inner
                before_n = local_n + o.greater_n
                before_s = local_s + o.greater_s
                group_size = len(group) + o.tie_n
                before = before_s if basis == "value" else Decimal(before_n)
                after = before + (v * group_size if basis == "value" else Decimal(group_size))
                if before < first * basis_total:
                    t, why = "most_valuable", "before_first_cutoff"
                elif before < second * basis_total:
                    t, why = "major", "before_second_cutoff"
                else:
                    t, why = "ordinary", "past_second_cutoff"
                figures = (
                    before_n + 1,
                    _share(v, total),
                    _share(before, basis_total),
                    _share(after, basis_total),
                )
                for i in group:
                    rank[i], share[i], before_share[i], after_share[i] = figures
                    size[i], tier[i], decision[i] = group_size, t, why
                local_n += len(group)
                local_s += v * len(group)
                k = j
        raw = table.column("value")
        as_float = (
            raw.cast(pa.float64())
            if not pa.types.is_decimal(raw.type)
            else pa.array([float(d) for d in decimals], pa.float64())
        )
        out = pa.table(
            {
                "customer_id": table.column("customer_id"),
                "value": as_float,
                "rank": pa.array(rank, pa.int64()),
                "share": pa.array(share, pa.float64()),
                "cumulative_share_before": pa.array(before_share, pa.float64()),
                "cumulative_share": pa.array(after_share, pa.float64()),
                "tie_group_size": pa.array(size, pa.int64()),
                "tier": pa.array(tier, pa.string()),
                "decision": pa.array(decision, pa.string()),
            }
        )
        yield from _batches(conform(out, out_schema))

    return ranked.mapInArrow(label, _spark_schema(out_schema))


# --------------------------------------------------------------------------
# BTYD models: in _spark_btyd (imported last: it uses the helpers above).

from ._spark_btyd import fit_btyd, predict_btyd, predict_clv  # noqa: E402

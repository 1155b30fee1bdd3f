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
- :func:`classify`: value tiers, behaviours and treatments with the
  single-machine rule, tie groups included, without collecting customers to
  the driver. Customers are range partitioned by value (largest first); each
  task sends the driver one small row (crm-core's partition statistics);
  the extension makes the plan on the driver (what lies above every
  partition, the tie groups that span partitions) and each task classifies
  its customers with it (crm-core's partitioned tier walk): no tier rule and
  no arithmetic in this module.
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
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Any, Literal

from . import _crm_engine
from ._errors import InternalError
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

# Exact decimal sums of the reconciliation amounts: 120 digits never round.
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
    return _crm_engine.task_threads(threads)


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
            raise _crm_engine.declared_schema_error("conform", field.name, str(field.type))
        column = table.column(field.name)
        if not column.type.equals(field.type):
            try:
                column = column.cast(field.type, safe=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                # Not pyarrow's message: it quotes the value that did not fit.
                raise _crm_engine.declared_schema_error(
                    "conform", field.name, str(field.type), str(column.type)
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


def _column_names(df: DataFrame, roles: dict[str, str | None], what: str) -> None:
    """Every named column is in ``df``, or crm-io's ``column_present`` error,
    as the single-machine functions raise it."""
    for role, name in roles.items():
        if name is not None and name not in df.columns:
            raise _crm_engine.missing_column_error(what, name, role, list(df.columns))


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

    _column_names(
        transactions,
        {
            "customer": customer,
            "time": time,
            "amount": amount,
            "quantity": quantity,
            "margin": margin,
            "discount": discount,
        },
        "summarize",
    )
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


def classify(
    values: DataFrame,
    *,
    customer: str,
    value: str,
    by: Literal["value", "count"] = "value",
    cutoffs: tuple[Any, Any] | None = None,
    spend: str | None = None,
    discount_spend: str | None = None,
    margin: str | None = None,
    cost_to_serve: str | None = None,
    price_driven_min_discount_share: Any | None = None,
    unprofitable_below_net_margin: Any | None = None,
    policy: Any | None = None,
    money: Literal["decimal128", "float64"] = "decimal128",
    partitions: int | None = None,
    check_unique: bool = True,
) -> DataFrame:
    """Value tiers, behaviours and treatments of a Spark DataFrame of customers, equal to :func:`crm_engine.classify`.

    Returns one row per customer (in no particular order) with the columns
    of the single-machine :class:`crm_engine.Classification` (crm-io's tiers
    layout; tier, decision, strategy, service model and contact as strings,
    counts as 64-bit integers, money as ``decimal(38, s)`` with ``s`` the
    largest scale in the money columns, or double with ``money="float64"``).
    Every figure is the single-machine one, exactly: the partitions are
    classified by crm-core's partitioned tier walk.

    No customer list reaches the driver: customers are range partitioned by
    value (largest first); each task computes its partition's statistics in
    the extension (positive count, exact sum, end values and their tie-group
    sizes) and sends them as one row; the extension makes the plan on the
    driver (what lies above each partition, which tie groups continue in
    neighbouring partitions); each task then classifies its customers with
    the plan. A tie group is never split, even when it spans partitions.

    Args:
        values: one row per customer.
        customer, value: column names (value: double, integer or decimal).
        by, cutoffs, spend, discount_spend, margin, cost_to_serve,
        price_driven_min_discount_share, unprofitable_below_net_margin,
        policy, money: as in :func:`crm_engine.classify`.
        partitions: partitions of the value ranking (default
            ``spark.sql.shuffle.partitions``).
        check_unique: check that no customer appears twice (one more
            shuffle of the customer ids); a duplicate raises
            :class:`crm_engine.DuplicateCustomerError`.

    Raises:
        DuplicateCustomerError: a customer appears twice (``check_unique``).
        ConfigError: invalid ``by``, ``cutoffs``, thresholds, policy or ``money``.
        ColumnError: a named column is missing.
        InvalidValueError: (inside the tasks, surfaced by Spark as a
            ``PythonException`` with the same message) a null id, or a null,
            NaN or infinite value, naming the customer id and column.
    """
    _pyspark()
    import pyarrow as pa
    from pyspark.sql import functions as F

    from ._input import decimal_text

    signals = {
        "spend": spend,
        "discount_spend": discount_spend,
        "margin": margin,
        "cost_to_serve": cost_to_serve,
    }
    _column_names(values, {"customer": customer, "value": value, **signals}, "classify")
    cut: tuple[str, str] | None = None
    if cutoffs is not None:
        if not isinstance(cutoffs, (tuple, list)) or len(cutoffs) != 2:
            raise _crm_engine.argument_error("classify", "cutoffs", "pair")
        cut = (decimal_text("cutoffs[0]", cutoffs[0]), decimal_text("cutoffs[1]", cutoffs[1]))
    rules: dict[str, Any] = {
        "price_driven_min_discount_share": None
        if price_driven_min_discount_share is None
        else decimal_text("price_driven_min_discount_share", price_driven_min_discount_share),
        "unprofitable_below_net_margin": None
        if unprofitable_below_net_margin is None
        else decimal_text("unprofitable_below_net_margin", unprofitable_below_net_margin),
        "policy_json": None if policy is None else json.dumps(list(policy)),
    }
    # Validate by, cut-offs, thresholds, policy and money on the driver,
    # before any job: the single-machine call on no customers.
    from . import classify as _single

    _single(
        pa.table({"c": pa.array([], pa.int64()), "v": pa.array([], pa.int64())}),
        customer="c",
        value="v",
        by=by,
        cutoffs=cutoffs,
        price_driven_min_discount_share=price_driven_min_discount_share,
        unprofitable_below_net_margin=unprofitable_below_net_margin,
        policy=policy,
        money=money,
    )
    named = {role: name for role, name in signals.items() if name is not None}
    df = values.select(
        F.col(customer).alias("customer_id"),
        F.col(value).alias("value"),
        *[F.col(name).alias(f"_crm_{role}") for role, name in named.items()],
    )
    if check_unique:
        dup = df.groupBy("customer_id").count().where(F.col("count") > 1).limit(1).collect()
        if dup:
            raise _crm_engine.repeated_customer_error(
                "classify", customer, dup[0]["customer_id"], dup[0]["count"]
            )
    n_parts = partitions or int(
        df.sparkSession.conf.get("spark.sql.shuffle.partitions", "200") or "200"
    )
    # Both passes must see the same partitions: the range bounds come from a
    # sample, which a recomputation could draw differently. A local
    # checkpoint materialises the ranking once (executor storage, freed when
    # the result is garbage collected); the extension checks each partition
    # against its statistics in the second pass.
    ranked = df.repartitionByRange(n_parts, F.col("value").desc()).localCheckpoint(eager=True)
    in_schema = _arrow_schema(ranked.schema)
    money_columns = [f"_crm_{r}" for r in ("margin", "cost_to_serve") if r in named]
    role_args = {role: f"_crm_{role}" for role in named}

    def table_of(batches: Iterator[pa.RecordBatch]) -> pa.Table:
        rows = list(batches)
        return pa.Table.from_batches(rows) if rows else in_schema.empty_table()

    stats_schema = pa.schema(
        [("partition", pa.int32()), ("stats", pa.string()), ("money_scale", pa.int32())]
    )

    def stats(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pid = _partition_id()
        text, scale = _crm_engine.tier_partition_stats(
            table_of(batches), value="value", partition=pid, money_columns=money_columns
        )
        yield pa.RecordBatch.from_pylist(
            [{"partition": pid, "stats": text, "money_scale": scale}], schema=stats_schema
        )

    collected = ranked.mapInArrow(stats, _spark_schema(stats_schema)).collect()
    plan = _crm_engine.tier_partition_plan([r["stats"] for r in collected], by=by, cutoffs=cut)
    money_scale = max((int(r["money_scale"]) for r in collected), default=0)
    money_type = pa.float64() if money == "float64" else pa.decimal128(38, min(money_scale, 38))
    id_type = in_schema.field("customer_id").type
    if pa.types.is_integer(id_type):
        id_type = pa.int64()
    elif pa.types.is_large_string(id_type) or pa.types.is_string(id_type):
        id_type = pa.string()
    out_schema = pa.schema(
        [
            ("customer_id", id_type),
            ("value", money_type),
            ("tier", pa.string()),
            ("rank", pa.int64()),
            ("share", pa.float64()),
            ("cumulative_share_before", pa.float64()),
            ("cumulative_share_after", pa.float64()),
            ("tie_group_size", pa.int64()),
            ("decision", pa.string()),
            ("behaviours", pa.list_(pa.string())),
            ("discount_share", pa.float64()),
            ("net_margin", money_type),
            ("strategy", pa.string()),
            ("service_model", pa.string()),
            ("contact", pa.string()),
            ("response_hours", pa.int64()),
            ("policy_rule", pa.int64()),
        ]
    )

    def label(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        pid = _partition_id()
        out = _crm_engine.classify_partition(
            table_of(batches),
            customer="customer_id",
            value="value",
            plan=plan,
            partition=pid,
            **role_args,
            **rules,
            money=money,
        )
        yield from _batches(conform(pa.table(out), out_schema))

    return ranked.mapInArrow(label, _spark_schema(out_schema))


# --------------------------------------------------------------------------
# BTYD models: in _spark_btyd (imported last: it uses the helpers above).

from ._spark_btyd import fit_btyd, predict_btyd, predict_clv  # noqa: E402

"""crm_engine.spark gives the single-machine answers on PySpark (local mode).

On the CDNOW sample and on 1M generated transactions: every summary field,
the reconciliation counts, every tier (tie groups included), BTYD fits to
1e-9 relative and the per-customer predictions. Needs PySpark 4 and Java 17;
run-tests.sh installs PySpark and sets CRM_REQUIRE_SPARK=1, so that a
missing PySpark fails there instead of skipping.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import pickle
import random
import sys
import time
from decimal import Decimal
from typing import Any

import crm_engine as crm
import numpy as np
import pyarrow as pa
import pytest
from conftest import ROOT
from crm_engine.clv import BetaGeo, GammaGamma, predictions

if os.environ.get("CRM_REQUIRE_SPARK") != "1":
    pytest.importorskip("pyspark")

from crm_engine import spark as crs  # noqa: E402

AS_OF = "1998-06-30"
TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def spark() -> Any:
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    builder = SparkSession.builder
    events = os.environ.get(
        "CRM_SPARK_EVENT_LOG"
    )  # a directory: Spark's event log, for shuffle sizes
    if events:
        os.makedirs(events, exist_ok=True)
        builder = (
            builder.config("spark.eventLog.enabled", "true")
            .config("spark.eventLog.dir", events)
            .config("spark.eventLog.compress", "false")
            .config("spark.eventLog.rolling.enabled", "false")
        )
    session = (
        builder.master("local[2]")
        .appName("crm-engine-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.memory", "2g")
        .config(
            "spark.sql.warehouse.dir",
            os.path.join(os.environ.get("CRM_TEST_OUT", "/tmp"), "spark-warehouse"),
        )
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if TIMINGS:
        print("\nspark timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in TIMINGS.items()))


def generated(n: int = 1_000_000, customers: int = 100_000, seed: int = 8) -> pa.Table:
    """Deterministic transactions: heavy buyers, dates past as_of, returns, ties, rows without id or amount."""
    rng = np.random.default_rng(seed)
    ids = rng.choice(np.arange(10_000_000, 99_999_999), size=customers, replace=False).astype(
        "int64"
    )
    who = ids[rng.integers(0, customers, size=n)]
    # Heavier buyers: a fifth of the rows go to the first 2 % of customers.
    heavy = rng.random(n) < 0.2
    who[heavy] = ids[rng.integers(0, customers // 50, size=int(heavy.sum()))]
    days = rng.integers(0, 600, size=n)  # 1997-01-01 + 0..599: some after 1998-06-30
    date = (np.datetime64("1997-01-01") + days.astype("timedelta64[D]")).astype("datetime64[D]")
    # Amounts in cents from a small set (many ties), a few returns.
    cents = (
        rng.choice(np.array([999, 1250, 1999, 2500, 4999, 10000]), size=n)
        + rng.integers(0, 3, size=n) * 100
    )
    cents[rng.random(n) < 0.03] *= -1
    bad = rng.random(n) < 0.001  # null amounts: rejected and counted
    amount = pa.array(np.where(bad, np.nan, cents / 100.0), pa.float64(), from_pandas=True)
    no_id = rng.random(n) < 0.0005  # rows without a customer id: rejected and counted
    customer = pa.array(who, pa.int64(), mask=no_id)
    return pa.table({"customer": customer, "date": pa.array(date, pa.date32()), "amount": amount})


def job(spark: Any, name: str) -> None:
    """Names the following Spark jobs (the event log groups shuffle sizes by it)."""
    spark.sparkContext.setJobGroup(name, name)


def sorted_table(t: Any, key: str) -> pa.Table:
    table = t.to_arrow() if hasattr(t, "to_arrow") else t
    return table.sort_by(key)


def spark_table(df: Any) -> pa.Table:
    return df.toArrow()


def assert_same_summaries(single: crm.Summary, distributed: crs.SparkSummary) -> None:
    expected = sorted_table(single, "customer_id")
    got = spark_table(distributed.summaries).sort_by("customer_id")
    assert got.schema.names == expected.schema.names
    for name in expected.schema.names:
        assert got.schema.field(name).type == expected.schema.field(name).type, name
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name
    total = distributed.totals()
    rec = single.reconciliation
    assert (total.rows_read, total.rows_used, total.rows_skipped, total.rows_rejected) == (
        rec.rows_read,
        rec.rows_used,
        rec.rows_skipped,
        rec.rows_rejected,
    )
    assert total.is_balanced
    for k in (
        "amount_read",
        "amount_used",
        "amount_skipped_after_as_of",
        "amount_rejected",
        "rows_rejected_without_amount",
    ):
        assert Decimal(str(total.details[k])) == Decimal(str(rec.details[k])), k
    by_rule = {(r["column"], r["reason"]): r["rows"] for r in rec.details["rejected_by_rule"]}
    assert {
        (r["column"], r["reason"]): r["rows"] for r in total.details["rejected_by_rule"]
    } == by_rule


TIER_COLUMNS = (
    "customer_id",
    "value",
    "tier",
    "rank",
    "share",
    "cumulative_share_before",
    "cumulative_share_after",
    "tie_group_size",
    "decision",
    "behaviours",
    "discount_share",
    "net_margin",
    "strategy",
    "service_model",
    "contact",
    "response_hours",
    "policy_rule",
)


def assert_same_tiers(single: crm.Classification, distributed: Any) -> None:
    """Every column of the single-machine table, exactly (crm-core computes both)."""
    expected = single.to_arrow().sort_by("customer_id")
    got = spark_table(distributed).sort_by("customer_id")
    assert got.column_names == list(TIER_COLUMNS) == expected.column_names
    assert got.num_rows == expected.num_rows
    for name in TIER_COLUMNS:
        e = expected.column(name)
        if pa.types.is_dictionary(e.type):
            e = e.cast(pa.string())
        assert got.column(name).to_pylist() == e.to_pylist(), name


def assert_same_fit(single: Any, distributed: Any) -> None:
    assert single.params is not None and distributed.params is not None
    for k, v in single.params.items():
        assert math.isclose(distributed.params[k], v, rel_tol=1e-9), (k, distributed.params[k], v)
    assert math.isclose(distributed.log_likelihood, single.log_likelihood, rel_tol=1e-9)


# ---------------------------------------------------------------------------
# CDNOW sample


def test_cdnow_summaries_tiers_and_btyd(spark: Any, cdnow: pa.Table) -> None:
    tx = spark.createDataFrame(cdnow.select(["customer", "date", "amount"]))
    kw: dict[str, Any] = dict(
        customer="customer", time="date", amount="amount", as_of="1997-09-30", unit="week"
    )
    single = crm.summarize(cdnow, **kw, money="float64")
    distributed = crs.summarize(tx, **kw, partitions=6)
    assert_same_summaries(single, distributed)
    assert sorted(r["partition"] for r in distributed.reconciliation.collect()) == list(range(6))

    for by in ("value", "count"):
        tiers_single = crm.classify(single, customer="customer_id", value="total_spend", by=by)
        tiers_spark = crs.classify(
            distributed.summaries, customer="customer_id", value="total_spend", by=by
        )
        assert_same_tiers(tiers_single, tiers_spark)

    bg_single = BetaGeo().fit(single)
    bg = crs.fit_btyd(distributed.summaries, BetaGeo())
    assert_same_fit(bg_single, bg)
    gg = crs.fit_btyd(distributed.summaries, GammaGamma())
    gg_single = GammaGamma().fit(single)
    assert_same_fit(gg_single, gg)
    assert gg.report is not None and gg_single.report is not None
    assert gg.report["fit_set"] == gg_single.report["fit_set"]
    assert gg.report["fit_set"]["used"] == 946

    clv_spark = spark_table(
        crs.predict_clv(distributed.summaries, bg_single, gg_single, months=12, unit="week")
    ).sort_by("customer_id")
    clv_single = pa.table(
        predictions(bg_single, gg_single, single.to_arrow(), months=12, unit="week")
    ).sort_by("customer_id")
    assert clv_spark.schema.names == clv_single.schema.names
    assert clv_spark.to_pylist() == clv_single.to_pylist()

    pred = spark_table(
        crs.predict_btyd(distributed.summaries, pickle.loads(pickle.dumps(bg)), t=39)
    ).sort_by("customer_id")
    s = single.to_arrow().sort_by("customer_id")
    f, r, age = (s.column(c).to_numpy() for c in ("frequency", "recency", "T"))
    assert pred.column("customer_id").to_pylist() == s.column("customer_id").to_pylist()
    assert pred.column("p_alive").to_pylist() == bg_single.p_alive(f, r, age).tolist()
    np.testing.assert_allclose(
        pred.column("expected_purchases").to_numpy(),
        bg_single.conditional_expected_purchases(39, f, r, age),
        rtol=1e-9,
    )
    distributed.unpersist()


def test_btyd_fit_sets_are_the_cli_fit_sets(spark: Any, cdnow: pa.Table, tmp_path: Any) -> None:
    """Spark's fit_btyd leaves out exactly the customers `crm clv fit` leaves out.

    The CDNOW sample plus two customers: 900001 repeats at a spend of zero
    (outside the Gamma-Gamma fit set), 900002 is first seen on the analysis
    date (T = 0, outside the purchase fit set). The CLI's model file and
    Spark's fits count the same customers, and fit the same parameters.
    """
    import json
    import shutil
    import subprocess

    extra = pa.table(
        {
            "customer": pa.array([900001, 900001, 900002], pa.int64()),
            "date": pa.array(
                [dt.date(1997, 2, 1), dt.date(1997, 3, 1), dt.date(1997, 9, 30)], pa.date32()
            ),
            "amount": pa.array([30.0, 0.0, 12.0], pa.float64()),
        }
    )
    tx_table = pa.concat_tables([cdnow.select(["customer", "date", "amount"]), extra])
    kw: dict[str, Any] = dict(customer="customer", time="date", amount="amount", as_of="1997-09-30")
    summaries = crs.summarize(spark.createDataFrame(tx_table), **kw, partitions=3).summaries
    bg = crs.fit_btyd(summaries, BetaGeo())
    gg = crs.fit_btyd(summaries, GammaGamma())
    assert bg.report is not None and gg.report is not None
    # Independently of the engine: the repeat buyers with a positive mean
    # repeat spend, and the customers with T = 0.
    rows = summaries.select("frequency", "monetary_value", "T").collect()
    positive = sum(1 for r in rows if r["frequency"] > 0 and r["monetary_value"] > 0)
    unobserved = sum(1 for r in rows if r["T"] == 0)
    assert (positive, unobserved) == (946, 1)  # CDNOW's 946 repeat buyers; 900001 is out
    assert gg.report["fit_set"]["used"] == positive
    assert bg.report["fit_set"]["excluded"] == [
        {"reason": "not_observed", "customers": float(unobserved)}
    ]

    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("no cargo to run the crm command")
    csv = tmp_path / "tx.csv"
    lines = [
        f"{c},{d.isoformat()},{a:.2f}\n"
        for c, d, a in zip(
            tx_table.column("customer").to_pylist(),
            tx_table.column("date").to_pylist(),
            tx_table.column("amount").to_pylist(),
        )
    ]
    csv.write_text("customer,date,amount\n" + "".join(lines))
    model_file = tmp_path / "model.json"
    subprocess.run(
        [cargo, "run", "-q", "-p", "crm-cli", "--bin", "crm", "--", "--quiet", "clv", "fit"]
        + ["--input", str(csv), "--as-of", "1997-09-30", "--output", str(model_file)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    cli = json.loads(model_file.read_text())
    assert cli["spend"]["fit_set"] == gg.report["fit_set"]
    assert cli["repeat"]["fit_set"] == bg.report["fit_set"]
    for fitted, part in ((bg, "repeat"), (gg, "spend")):
        assert fitted.params is not None
        for k, v in fitted.params.items():
            assert math.isclose(cli[part]["model"]["params"][k], v, rel_tol=1e-6), (part, k)


def test_string_ids_and_decimal_values(spark: Any) -> None:
    from pyspark.sql.types import DecimalType, StringType, StructField, StructType

    rng = random.Random(3)
    rows = [
        (f"c{i:05d}", Decimal(rng.choice(["0", "-5.5", "10.25", "10.25", "7", "300.125", "1"])))
        for i in range(3000)
    ]
    rows = [
        (
            cid,
            v,
            rng.choice([None, Decimal("50.5"), Decimal("9")]),
            rng.choice([None, Decimal("40")]),
        )
        for cid, v in rows
    ]
    schema = StructType(
        [
            StructField("id", StringType()),
            StructField("v", DecimalType(12, 3)),
            StructField("spend", DecimalType(12, 2)),
            StructField("promo", DecimalType(12, 2)),
        ]
    )
    df = spark.createDataFrame(rows, schema)
    table = pa.table(
        {
            "id": [r[0] for r in rows],
            "v": pa.array([r[1] for r in rows], pa.decimal128(12, 3)),
            "spend": pa.array([r[2] for r in rows], pa.decimal128(12, 2)),
            "promo": pa.array(
                [None if r[2] is None or r[3] is None or r[3] > r[2] else r[3] for r in rows],
                pa.decimal128(12, 2),
            ),
        }
    )
    df = spark.createDataFrame(table.to_pylist(), schema)
    signals = dict(spend="spend", discount_spend="promo")
    for by, cut in (("value", None), ("count", (0.1, 0.3)), ("value", ("0.5", "0.9"))):
        single = crm.classify(table, customer="id", value="v", by=by, cutoffs=cut, **signals)  # type: ignore[arg-type]
        assert "price_driven" in {
            b for bs in single.to_arrow().column("behaviours").to_pylist() for b in bs
        }
        assert_same_tiers(
            single,
            crs.classify(df, customer="id", value="v", by=by, cutoffs=cut, partitions=5, **signals),  # type: ignore[arg-type]
        )


def test_no_customers(spark: Any) -> None:
    df = spark.createDataFrame([], "id long, v double")
    assert crs.classify(df, customer="id", value="v").count() == 0
    tx = spark.createDataFrame([], "c long, d date, a double")
    s = crs.summarize(tx, customer="c", time="d", amount="a", as_of=AS_OF)
    assert s.summaries.count() == 0
    assert s.totals().rows_read == 0


def test_bad_input_is_an_error_naming_the_rule(spark: Any) -> None:
    df = spark.createDataFrame([(1, 2.0), (1, 3.0), (2, 1.0)], "id long, v double")
    with pytest.raises(crm.DuplicateCustomerError, match="customer 1") as dup:
        crs.classify(df, customer="id", value="v")
    assert (dup.value.rule, dup.value.customer, dup.value.column) == (
        "one_row_per_customer",
        "1",
        "id",
    )
    with pytest.raises(crm.ConfigError):
        crs.classify(df, customer="id", value="v", cutoffs=(0.6, 0.5))
    with pytest.raises(crm.ConfigError) as pair:
        crs.classify(df, customer="id", value="v", cutoffs="alice@example.com")
    assert pair.value.rule == "argument_form" and "alice" not in str(pair.value)
    with pytest.raises(crm.ColumnError) as missing:
        crs.summarize(df, customer="id", time="nope", amount="v", as_of=AS_OF)
    assert (missing.value.rule, missing.value.column) == ("column_present", "nope")
    nan = spark.createDataFrame([(1, float("nan")), (2, 1.0)], "id long, v double")
    with pytest.raises(Exception, match="NaN or infinite"):
        crs.classify(nan, customer="id", value="v").collect()


# ---------------------------------------------------------------------------
# The extension's partition functions, without Spark (the invariant itself is
# crm-core's property test any_range_split_gives_exactly_the_single_machine_classification)


def test_partition_functions_give_the_single_machine_table() -> None:
    from crm_engine import _crm_engine

    rng = random.Random(11)
    for _ in range(50):
        n = rng.randint(1, 40)
        values = [
            Decimal(rng.choice(["1", "2", "2", "3", "5", "5", "5", "8", "0", "-1"]))
            for _ in range(n)
        ]
        margin = [rng.choice([None, Decimal("1"), Decimal("-2.5")]) for _ in range(n)]
        order = sorted(range(n), key=lambda i: values[i], reverse=True)
        cuts = sorted(rng.sample(range(n + 1), k=rng.randint(0, min(n, 5))))
        parts = [order[a:b] for a, b in zip([0, *cuts], [*cuts, n])]
        table = pa.table(
            {
                "id": list(range(n)),
                "v": pa.array(values, pa.decimal128(10, 1)),
                "m": pa.array(margin, pa.decimal128(10, 1)),
            }
        )
        single = pa.table(crm.classify(table, customer="id", value="v", margin="m"))
        chunks = [table.take(pa.array(p, pa.int64())) for p in parts]
        stats = [
            _crm_engine.tier_partition_stats(c, value="v", partition=i, money_columns=["m"])[0]
            for i, c in enumerate(chunks)
        ]
        plan = _crm_engine.tier_partition_plan(stats[::-1])
        expected = {r["customer_id"]: r for r in single.to_pylist()}
        seen = 0
        for i, c in enumerate(chunks):
            got = pa.table(
                _crm_engine.classify_partition(
                    c, customer="id", value="v", plan=plan, partition=i, margin="m"
                )
            )
            assert got.column_names == single.column_names
            for row in got.to_pylist():
                assert row == expected[row["customer_id"]]
                seen += 1
        assert seen == n


def test_partitions_out_of_value_order_are_refused() -> None:
    from crm_engine import _crm_engine

    small = _crm_engine.tier_partition_stats(pa.table({"v": [1]}), value="v", partition=0)[0]
    large = _crm_engine.tier_partition_stats(pa.table({"v": [3]}), value="v", partition=1)[0]
    with pytest.raises(crm.InvalidValueError, match="range-partitioned"):
        _crm_engine.tier_partition_plan([small, large])


# ---------------------------------------------------------------------------
# Arrow types, pickling, threads and fork


def test_conform_casts_to_the_declared_types() -> None:
    t = pa.table(
        {
            "s": pa.array(["a", None], pa.large_string()),
            "d": pa.array(["x", "y"]).dictionary_encode(),
            "m": pa.array([Decimal("1.5"), Decimal("2")], pa.decimal128(20, 4)),
        }
    )
    schema = pa.schema([("s", pa.string()), ("d", pa.string()), ("m", pa.decimal128(10, 2))])
    out = crs.conform(t, schema)
    assert out.schema == schema
    assert out.column("m").to_pylist() == [Decimal("1.50"), Decimal("2.00")]
    if hasattr(pa, "string_view"):
        v = pa.table({"s": pa.array(["a"], pa.string_view())})
        assert crs.conform(v, pa.schema([("s", pa.string())])).schema.field("s").type == pa.string()
    lossy = pa.table({"m": pa.array([Decimal("1.005")], pa.decimal128(10, 3))})
    with pytest.raises(crm.InvalidValueError, match="`m`") as lost:
        crs.conform(lossy, pa.schema([("m", pa.decimal128(10, 2))]))
    assert lost.value.rule == "declared_schema" and "1.005" not in str(lost.value)
    with pytest.raises(crm.InvalidValueError) as absent:
        crs.conform(lossy, pa.schema([("n", pa.int64())]))
    assert (absent.value.rule, absent.value.column) == ("declared_schema", "n")


def test_models_and_policies_pickle(cdnow: pa.Table) -> None:
    s = crm.summarize(
        cdnow, customer="customer", time="date", amount="amount", as_of="1997-09-30", unit="week"
    )
    bg = BetaGeo().fit(s)
    again = pickle.loads(pickle.dumps(bg))
    assert again.params == bg.params and again.log_likelihood == bg.log_likelihood
    f, r, age = (s.to_arrow().column(c).to_numpy() for c in ("frequency", "recency", "T"))
    assert again.p_alive(f, r, age).tolist() == bg.p_alive(f, r, age).tolist()
    tiers = crm.classify(s, customer="customer_id", value="total_spend")
    policy = [
        {
            "tiers": ["most_valuable", "major", "ordinary", "inactive"],
            "behaviours": "any",
            "treatment": {
                "strategy": "care",
                "service_model": "one_to_many",
                "contact": "monthly",
                "response_hours": 48,
            },
        }
    ]
    pol = pickle.loads(pickle.dumps(policy))
    with_policy = crm.classify(s, customer="customer_id", value="total_spend", policy=pol)
    assert set(with_policy.to_pandas()["strategy"].astype(str)) == {"care"}
    assert pickle.loads(pickle.dumps(tiers)).to_arrow() == tiers.to_arrow()


def test_thread_limit_gives_the_same_answer() -> None:
    rng = np.random.default_rng(5)
    n = 50_000  # above the size where classify spreads over threads
    table = {"c": np.arange(n, dtype="int64"), "v": np.round(rng.gamma(2.0, 50.0, size=n), 2)}
    results = []
    old = os.environ.get("CRM_ENGINE_THREADS")
    try:
        for threads in ("1", "2", "7"):
            os.environ["CRM_ENGINE_THREADS"] = threads
            results.append(crm.classify(table, customer="c", value="v").to_arrow())
    finally:
        if old is None:
            os.environ.pop("CRM_ENGINE_THREADS", None)
        else:
            os.environ["CRM_ENGINE_THREADS"] = old
    assert results[0] == results[1] == results[2]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_safe_after_fork(cdnow: pa.Table) -> None:
    parent = crm.classify(
        crm.summarize(cdnow, customer="customer", time="date", amount="amount", as_of=AS_OF),
        customer="customer_id",
        value="total_spend",
    ).to_arrow()
    pid = os.fork()
    if pid == 0:  # the child: the same calls, then exit without pytest's teardown
        code = 1
        try:
            s = crm.summarize(cdnow, customer="customer", time="date", amount="amount", as_of=AS_OF)
            child = crm.classify(s, customer="customer_id", value="total_spend").to_arrow()
            code = 0 if child == parent else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


# ---------------------------------------------------------------------------
# 1M generated transactions


def test_one_million_transactions(spark: Any) -> None:
    table = generated()
    assert table.num_rows == 1_000_000
    kw: dict[str, Any] = dict(
        customer="customer", time="date", amount="amount", as_of=AS_OF, unit="week"
    )

    t0 = time.perf_counter()
    single = crm.summarize(table, **kw, money="float64")
    tiers_single = crm.classify(single, customer="customer_id", value="total_spend")
    # A customer whose first purchase is on as_of has T = 0: no BTYD data.
    fit_rows = single.to_arrow().filter(pa.compute.greater(single.to_arrow().column("T"), 0))
    bg_single = BetaGeo().fit(fit_rows)
    TIMINGS["1M single machine (summarize+classify+fit)"] = time.perf_counter() - t0
    assert single.reconciliation.rows_rejected > 0 and single.reconciliation.rows_skipped > 0
    assert {r["column"] for r in single.reconciliation.details["rejected_by_rule"]} == {
        "customer",
        "amount",
    }

    t0 = time.perf_counter()
    job(spark, "load")
    tx = spark.createDataFrame(table).persist()
    tx.count()
    TIMINGS["1M load into Spark"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    job(spark, "summarize")
    distributed = crs.summarize(tx, **kw)
    distributed.summaries.count()
    TIMINGS["1M summarize"] = time.perf_counter() - t0
    job(spark, "checks")
    assert_same_summaries(single, distributed)

    t0 = time.perf_counter()
    job(spark, "classify")
    tiers = crs.classify(
        distributed.summaries, customer="customer_id", value="total_spend"
    ).persist()
    tiers.count()
    TIMINGS["1M classify"] = time.perf_counter() - t0
    job(spark, "checks")
    assert_same_tiers(tiers_single, tiers)
    counts = {r["tier"]: r["count"] for r in tiers.groupBy("tier").count().collect()}
    assert sum(counts.values()) == single.num_rows and set(counts) >= {
        "most_valuable",
        "major",
        "ordinary",
    }

    t0 = time.perf_counter()
    job(spark, "fit_btyd")
    bg = crs.fit_btyd(distributed.summaries.where("T > 0"), BetaGeo())
    TIMINGS["1M fit BG/NBD"] = time.perf_counter() - t0
    job(spark, "checks")
    assert_same_fit(bg_single, bg)

    t0 = time.perf_counter()
    job(spark, "predict_btyd")
    pred = crs.predict_btyd(distributed.summaries.where("T > 0"), bg, t=52).persist()
    pred.count()
    TIMINGS["1M predict"] = time.perf_counter() - t0
    job(spark, "checks")
    got = spark_table(pred).sort_by("customer_id")
    s = fit_rows.sort_by("customer_id")
    assert got.column("customer_id").to_pylist() == s.column("customer_id").to_pylist()
    f, r, age = (s.column(c).to_numpy() for c in ("frequency", "recency", "T"))
    # The same parameters to 1e-9: the predictions agree to about that.
    np.testing.assert_allclose(
        got.column("p_alive").to_numpy(), bg_single.p_alive(f, r, age), rtol=1e-7
    )
    np.testing.assert_allclose(
        got.column("expected_purchases").to_numpy(),
        bg_single.conditional_expected_purchases(52, f, r, age),
        rtol=1e-7,
    )
    # With the very same model, the predictions are the single-machine ones exactly.
    same = spark_table(
        crs.predict_btyd(distributed.summaries.where("T > 0"), bg_single, t=52)
    ).sort_by("customer_id")
    assert same.column("p_alive").to_pylist() == bg_single.p_alive(f, r, age).tolist()
    assert (
        same.column("expected_purchases").to_pylist()
        == bg_single.conditional_expected_purchases(52, f, r, age).tolist()
    )
    for df in (tiers, pred, tx):
        df.unpersist()
    distributed.unpersist()
    report = os.environ.get("CRM_TEST_OUT")
    if report:
        with open(os.path.join(report, "spark_timings.txt"), "w") as fh:
            fh.write(f"{dt.datetime.now(dt.UTC).isoformat()} customers {single.num_rows}\n")
            for k, v in TIMINGS.items():
                fh.write(f"{k}\t{v:.2f}\n")

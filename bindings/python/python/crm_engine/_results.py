"""Result classes: Arrow tables with the figures that go with them.

Every result is an Arrow table. Read it with the library of your choice::

    import pyarrow as pa, polars as pl
    pa.table(result)          # pyarrow.Table (zero-copy)
    pl.from_arrow(result)     # polars.DataFrame (zero-copy)
    result.to_pandas()        # pandas.DataFrame (through pyarrow)

Any library that reads the Arrow PyCapsule interface (``__arrow_c_stream__``)
works too (duckdb, arro3, nanoarrow, ...). Results pickle, and two results are
equal when their tables and figures are.

Money columns (spend, values, margins) are exact ``decimal128`` by default,
the layout the ``crm`` command writes: a column's scale is the largest among
its values, so no digit is lost (pandas reads them as :class:`decimal.Decimal`
objects, polars and pyarrow as decimals). Pass ``money="float64"`` for the
nearest double to each exact figure instead (converted from the decimal,
never through text). Other figures (recency, shares, rates) are ``float64``;
counts are ``int64``. Every table's columns and types are the golden layout
of ``crates/crm-io/schemas/<table>.json``, the same from Python and the
``crm`` command.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ._crm_engine import ArrowTable
from ._vocabulary import VOCABULARY

if TYPE_CHECKING:  # pragma: no cover
    import pandas as _pd
    import polars as _pl
    import pyarrow as _pa

__all__ = [
    "Table",
    "Classification",
    "Review",
    "Summary",
    "Reconciliation",
    "Rfm",
    "Report",
    "DeliveredValue",
    "Metrics",
    "SurveyMetrics",
    "Degrees",
]


class Table:
    """An Arrow table produced by crm_engine.

    ``pa.table(t)``, ``pl.from_arrow(t)`` and ``t.to_pandas()`` read it; so
    does anything that speaks the Arrow PyCapsule interface.
    """

    _table: ArrowTable

    def __init__(self, table: ArrowTable) -> None:
        self._table = table

    @property
    def num_rows(self) -> int:
        """Rows in the table."""
        return self._table.num_rows

    @property
    def column_names(self) -> list[str]:
        """Column names, in order."""
        return self._table.column_names

    def __len__(self) -> int:
        return self._table.num_rows

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """Arrow PyCapsule interface: the table as an Arrow C stream."""
        return self._table.__arrow_c_stream__(requested_schema)

    def __arrow_c_schema__(self) -> object:
        """Arrow PyCapsule interface: the table's schema."""
        return self._table.__arrow_c_schema__()

    def to_arrow(self) -> _pa.Table:
        """The table as a ``pyarrow.Table`` (needs pyarrow)."""
        import pyarrow as pa

        return pa.table(self._table)

    def to_pandas(self, **kwargs: Any) -> _pd.DataFrame:
        """The table as a ``pandas.DataFrame`` (needs pandas and pyarrow).

        Keyword arguments go to ``pyarrow.Table.to_pandas``.
        """
        return self.to_arrow().to_pandas(**kwargs)

    def to_polars(self) -> _pl.DataFrame:
        """The table as a ``polars.DataFrame`` (needs polars)."""
        import polars as pl

        return pl.DataFrame(self._table)

    def to_pylist(self) -> list[dict[str, Any]]:
        """The rows as dictionaries (for small results; needs pyarrow)."""
        return self.to_arrow().to_pylist()

    def _figures(self) -> tuple[Any, ...]:
        return ()

    def to_arrow_columns(self, names: list[str]) -> dict[str, list[Any]]:
        """Some columns as Python lists (for small results; needs pyarrow)."""
        t = self.to_arrow()
        return {n: t.column(n).to_pylist() for n in names}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Table)
        return bool(self._table == other._table) and self._figures() == other._figures()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<crm_engine.{type(self).__name__}: {self.num_rows} rows; columns {', '.join(self.column_names)}>"


class Classification(Table):
    """The result of :func:`crm_engine.classify`: one row per customer, in input order.

    The layout is crm-io's tiers table (``crates/crm-io/schemas/tiers.json``),
    the same as ``crm classify`` writes and :func:`crm_engine.spark.classify`
    returns.

    Columns:
        customer_id: the id (int64 or string).
        value: the customer's value (decimal128 by default; float64 with ``money="float64"``).
        tier: most_valuable, major, ordinary or inactive (categorical).
        rank: competition rank among positive values (1 = largest; null when inactive).
        share: value / positive total (float64; null when inactive).
        cumulative_share_before: cumulative share (on the tier basis) of the
            tie groups ranked above the customer's group.
        cumulative_share_after: the same, including the customer's whole tie group.
        tie_group_size: customers with the same value.
        decision: the rule that decided the tier (before_first_cutoff,
            before_second_cutoff, past_second_cutoff, non_positive_value).
        behaviours: list of price_driven / unprofitable.
        discount_share, net_margin: the behaviour figures (null when unknown).
        strategy: the treatment strategy (delight, care, develop, adapt, disengage).
        service_model: one_to_one, one_to_many or front_line.
        contact: weekly, fortnightly, monthly, quarterly, yearly or none.
        response_hours: promised response time.
        policy_rule: the position of the policy rule that gave the treatment.

    Attributes:
        tiers: per-tier table (tier, customers, value, value_share, customer_share).
        config: the configuration used (tier basis and cut-offs, behaviour
            rules, treatment policy), as JSON-ready dictionaries.
        total: the positive total value, exact.
        cutoffs: the two cut-offs, exact.
        by: "value" or "count".
    """

    tiers: Table
    config: dict[str, Any]
    total: Decimal

    def __init__(self, table: ArrowTable, tiers: ArrowTable, config_json: str, total: str) -> None:
        super().__init__(table)
        self.tiers = Table(tiers)
        self.config = json.loads(config_json)
        self.total = Decimal(total)

    @property
    def cutoffs(self) -> tuple[Decimal, Decimal]:
        """The first and second cut-offs, exact."""
        c = self.config["tiers"]["cutoffs"]
        return (Decimal(c["first"]), Decimal(c["second"]))

    @property
    def by(self) -> str:
        """The tier basis: "value" or "count"."""
        return str(self.config["tiers"]["basis"])

    def _figures(self) -> tuple[Any, ...]:
        return (self.tiers._table, self.config, self.total)


class Review(Table):
    """The result of :func:`crm_engine.review`: one row per customer of either period, by customer id.

    Columns:
        customer_id; move (promoted, demoted, held, unchanged, new = joined
        the customer base, lost = left it; a member without a row in the
        period is measured inactive with value 0);
        from_tier, to_tier (tiers in force; null when new / lost);
        measured_tier (what this period measured, before the grace rule);
        previous_value, current_value, previous_rank, current_rank;
        periods_below (consecutive periods measured below the tier in force).

    Attributes:
        previous, current: the period labels.
        counts: moves of each kind, e.g. ``{"promoted": 3, ...}``.
        transitions: customers by (from tier, to tier); ``None`` stands for
            "not in the period" (new customers come from ``None``, lost ones
            go to ``None``).
    """

    previous: str
    current: str
    counts: dict[str, int]
    transitions: dict[tuple[str | None, str | None], int]

    def __init__(
        self,
        previous: str,
        current: str,
        table: ArrowTable,
        counts: list[tuple[str, int]],
        transitions: list[tuple[str | None, str | None, int]],
    ) -> None:
        super().__init__(table)
        self.previous = previous
        self.current = current
        self.counts = dict(counts)
        self.transitions = {(a, b): n for a, b, n in transitions}

    def matrix(self) -> tuple[list[str], list[list[int]]]:
        """The transition matrix: labels and counts[from][to].

        Labels are the four tiers, highest first, then ``"absent"`` (new
        customers come from it, lost customers go to it).
        """
        tiers = VOCABULARY["tier"]
        labels = [*tiers, "absent"]
        keys: list[str | None] = [*tiers, None]
        return labels, [[self.transitions.get((a, b), 0) for b in keys] for a in keys]

    def _figures(self) -> tuple[Any, ...]:
        return (self.previous, self.current, self.counts, self.transitions)


@dataclass(frozen=True)
class Reconciliation:
    """What happened to every input row of :func:`crm_engine.summarize`.

    The books balance: ``rows_used + rows_skipped + rows_rejected == rows_read``.
    ``details`` holds the engine's full report (amounts, counts per column and
    rule, the listed rejections with their row, column and rule).
    """

    rows_read: int
    rows_used: int
    rows_skipped: int
    rows_rejected: int
    details: dict[str, Any] = field(default_factory=dict, compare=True, repr=False)

    @classmethod
    def from_json(cls, text: str) -> Reconciliation:
        """From the engine's JSON report."""
        d = json.loads(text)
        skipped = int(d.get("rows_skipped_after_as_of", 0)) + int(
            d.get("rows_skipped_before_window", 0)
        )
        return cls(int(d["rows_read"]), int(d["rows_used"]), skipped, int(d["rows_rejected"]), d)

    @property
    def is_balanced(self) -> bool:
        """True when used + skipped + rejected == read."""
        return self.rows_used + self.rows_skipped + self.rows_rejected == self.rows_read

    @property
    def rejections(self) -> list[dict[str, Any]]:
        """The listed rejected rows: row (1-based), column and reason."""
        return list(self.details.get("rejections", []))


class Summary(Table):
    """The result of :func:`crm_engine.summarize`: one row per customer.

    See :func:`crm_engine.summarize` for the columns.

    Attributes:
        reconciliation: the row counts (read, used, skipped, rejected).
        as_of: the analysis date.
        since: the window start, or None.
        unit: "day" or "week" (of recency and T).
    """

    reconciliation: Reconciliation
    as_of: datetime.date
    since: datetime.date | None
    unit: str

    def __init__(
        self,
        table: ArrowTable,
        reconciliation: Reconciliation,
        as_of: datetime.date,
        since: datetime.date | None,
        unit: str,
    ) -> None:
        super().__init__(table)
        self.reconciliation = reconciliation
        self.as_of = as_of
        self.since = since
        self.unit = unit

    def _figures(self) -> tuple[Any, ...]:
        return (self.reconciliation, self.as_of, self.since, self.unit)


class Rfm(Table):
    """The result of :func:`crm_engine.rfm`: one row per customer with R, F, M scores and segment.

    Columns:
        customer_id; recency_days; frequency (purchase occasions); monetary
        (the spend scored: total or mean per occasion; money); r_score,
        f_score, m_score (1..5, 5 best); rfm_code; segment.

    Attributes:
        thresholds: the quantile thresholds used, per dimension (4 each).
        details: the engine's report: exact thresholds, segment table, monetary basis.
        summary: the :class:`Summary` when RFM was computed from transactions.
    """

    thresholds: dict[str, list[float]]
    details: dict[str, Any]
    summary: Summary | None

    def __init__(
        self, table: ArrowTable, thresholds: dict[str, list[float]], details: dict[str, Any]
    ) -> None:
        super().__init__(table)
        self.thresholds = thresholds
        self.details = details
        self.summary = None

    @property
    def segments(self) -> list[dict[str, Any]]:
        """The segment table used (rules with score ranges)."""
        return list(self.details["segments"])

    def heatmap(self) -> tuple[list[int], list[int], list[list[int]]]:
        """Customers by recency score (rows, 5 first) and frequency score (columns, 1 first)."""
        tbl = self.to_arrow_columns(["r_score", "f_score"])
        counts = [[0] * 5 for _ in range(5)]
        for r, f in zip(tbl["r_score"], tbl["f_score"]):
            counts[5 - r][f - 1] += 1
        return [5, 4, 3, 2, 1], [1, 2, 3, 4, 5], counts

    def _figures(self) -> tuple[Any, ...]:
        return (self.thresholds, self.details)


class Report(Table):
    """A relationship result: a main Arrow table plus the full report.

    Attributes:
        data: the complete report as JSON-ready dictionaries, exactly as the
            Rust engine serialises it (decimals are exact strings, undefined
            ratios are ``None``).
    """

    data: dict[str, Any]

    def __init__(self, table: ArrowTable, report_json: str) -> None:
        super().__init__(table)
        self.data = (
            json.loads(report_json)
            if report_json.startswith("{")
            else {"items": json.loads(report_json)}
        )

    def _figures(self) -> tuple[Any, ...]:
        return (self.data,)


class DeliveredValue(Report):
    """The result of :func:`crm_engine.delivered_value`: one row per offer (and segment).

    Columns:
        segment (null without a segment column); offer; ours (our offer?);
        chosen (the offer the customer would choose in its segment); the eight
        weighted components (product_value, service_value, personnel_value,
        image_value, monetary_cost, time_cost, energy_cost, physical_cost);
        total_value; total_cost; delivered_value; value_cost_ratio (null when
        the total cost is zero).

    Attributes:
        comparisons: one row per segment: segment, ours, chosen,
            best_competitor, advantage (ours − best competitor; negative is a
            deficit; null without competitors).
        gaps: per segment and component, our and the best competitor's
            weighted amounts and the effect on our advantage (effects sum to
            the advantage), largest effect first.
    """

    comparisons: Table
    gaps: Table

    def __init__(
        self, offers: ArrowTable, comparisons: ArrowTable, gaps: ArrowTable, report_json: str
    ) -> None:
        super().__init__(offers, report_json)
        self.comparisons = Table(comparisons)
        self.gaps = Table(gaps)


class Metrics(Report):
    """A table of named figures: columns ``metric`` (dotted name such as
    ``complaints.resolution_rate``, crm-core's field path) and ``value``
    (float64; null = undefined, e.g. retention without customers at the
    start), sorted by name: crm-io's ``metrics`` table, the one ``crm
    metrics`` writes. Complaint and referral figures are present only when
    their records were given (unknown otherwise, never 0).

    ``m["retention_rate"]`` gives one figure as a float (or None).
    """

    def __getitem__(self, metric: str) -> float | None:
        names = self.to_arrow_columns(["metric", "value"])
        for n, v in zip(names["metric"], names["value"], strict=True):
            if n == metric:
                return None if v is None else float(v)
        raise KeyError(metric)

    def as_dict(self) -> dict[str, float | None]:
        """Every figure by its dotted name."""
        cols = self.to_arrow_columns(["metric", "value"])
        return dict(zip(cols["metric"], cols["value"], strict=True))


class SurveyMetrics(Report):
    """The result of :func:`crm_engine.survey_metrics`: one row per group.

    Columns:
        by ("all", "tier" or "segment"); group (the tier or segment name,
        "unknown" without one); csat_answers, csat (share of 4–5); nps_answers,
        promoters, passives, detractors, nps (−100..100), nps_ci_low,
        nps_ci_high; ces_answers, ces_mean, ces_agree_share (share of 5–7).
        A figure without answers is null (unknown), never 0.

    Attributes:
        rows: answer rows read, used and outside the period.
    """

    @property
    def rows(self) -> dict[str, int]:
        """Answer rows: read = used + outside_period."""
        return dict(self.data["rows"])


class Degrees(Report):
    """The result of :func:`crm_engine.degrees`: one row per customer, by customer id.

    Columns:
        customer_id; satisfaction (null = unknown: no survey answer in the
        period); loyalty; contribution (null when nobody has a positive
        value: a share of a zero total is undefined); dependency (null
        without a category spend); index; index_coverage; and the inputs: answers, mean_answer,
        complaints, open_complaints, occasions, tenure_days, referrals,
        repeat_part, tenure_part, referral_part, value, total_value, spend,
        category_spend.

    Attributes:
        base: per degree: known, unknown and mean over the known customers.
        share_of_wallet: the base's Σ spend / Σ category spend (None when unknown).
    """

    base: Table

    def __init__(self, customers: ArrowTable, base: ArrowTable, report_json: str) -> None:
        super().__init__(customers, report_json)
        self.base = Table(base)

    @property
    def share_of_wallet(self) -> Decimal | None:
        """The base's share of wallet, exact (None when no category spend is known)."""
        s = self.data["base"]["share_of_wallet"]
        return None if s is None else Decimal(s)

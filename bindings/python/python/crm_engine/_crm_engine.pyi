"""The compiled extension of crm_engine (glue around the Rust engine).

Use the functions of :mod:`crm_engine`; these are their raw forms.
"""

from collections.abc import Mapping, Sequence
from typing import Any, final

__all__ = [
    "ArrowTable",
    "__version__",
    "DEFAULT_INTERVAL_LEVEL",
    "calibration_holdout",
    "clv_holdout_scores",
    "clv_tracking",
    "clv_holdout_groups",
    "clv_likelihood_ratio",
    "classify",
    "classify_partition",
    "clv_compare",
    "clv_curve",
    "clv_fit",
    "clv_models",
    "clv_month_length",
    "clv_predict",
    "clv_predictions",
    "clv_predicted_tiers",
    "clv_matrix",
    "customer_base_by_inactivity",
    "degrees",
    "delivered_value",
    "economics",
    "equity",
    "golden_layout",
    "layout",
    "period_metrics",
    "review_periods",
    "rfm_scores",
    "summarize",
    "survey_metrics",
    "vocabulary",
    "argument_error",
    "date_error",
    "decimal_parameter",
    "declared_schema_error",
    "finite_number",
    "missing_column_error",
    "not_fitted_error",
    "repeated_customer_error",
    "required_error",
    "summary_window_error",
    "task_threads",
    "unknown_key_error",
    "unreadable_column_error",
    "whole_number",
    "tier_partition_plan",
    "tier_partition_stats",
]
__version__: str
DEFAULT_INTERVAL_LEVEL: float

@final
class ArrowTable:
    """An immutable Arrow table made by crm_engine (Arrow PyCapsule interface, picklable)."""

    @staticmethod
    def from_ipc(data: bytes) -> ArrowTable:
        """Rebuilds a table from Arrow IPC stream bytes."""

    def to_ipc(self) -> bytes:
        """The table as Arrow IPC stream bytes."""

    @property
    def num_rows(self) -> int:
        """Rows in the table."""

    @property
    def column_names(self) -> list[str]:
        """Column names, in order."""

    def __len__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __arrow_c_schema__(self) -> object:
        """Arrow PyCapsule interface: the schema."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """Arrow PyCapsule interface: the table as a stream of record batches."""

def classify(
    values: object,
    *,
    customer: str,
    value: str,
    by: str = ...,
    cutoffs: tuple[str, str] | None = None,
    spend: str | None = None,
    discount_spend: str | None = None,
    margin: str | None = None,
    cost_to_serve: str | None = None,
    price_driven_min_discount_share: str | None = None,
    unprofitable_below_net_margin: str | None = None,
    policy_json: str | None = None,
    money: str = ...,
) -> tuple[ArrowTable, ArrowTable, str, str]:
    """Customers table, tier table, configuration JSON and positive total."""

def golden_layout(table: str) -> str | None:
    """The golden layout of a result table (crates/crm-io/schemas/<table>.json), or None."""

def layout(table: ArrowTable, name: str) -> str:
    """The layout of ``table`` in the golden files' form, named ``name``."""

def tier_partition_stats(
    values: object, *, value: str, partition: int, money_columns: Sequence[str] = ...
) -> tuple[str, int]:
    """One partition's tier statistics as JSON, and the largest scale of its money columns."""

def tier_partition_plan(
    stats: Sequence[str], *, by: str = ..., cutoffs: tuple[str, str] | None = None
) -> str:
    """The plan of a partitioned ranking from every partition's statistics, as JSON."""

def classify_partition(
    values: object,
    *,
    customer: str,
    value: str,
    plan: str,
    partition: int,
    spend: str | None = None,
    discount_spend: str | None = None,
    margin: str | None = None,
    cost_to_serve: str | None = None,
    price_driven_min_discount_share: str | None = None,
    unprofitable_below_net_margin: str | None = None,
    policy_json: str | None = None,
    money: str = ...,
) -> ArrowTable:
    """One partition's customers table (the layout of classify), from the plan."""

def review_periods(
    periods: Sequence[object],
    labels: Sequence[str],
    *,
    customer: str,
    tier: str,
    value: str,
    rank: str | None = None,
    rank_required: bool = False,
    grace: int | None = None,
    money: str = ...,
    membership: str | None = None,
    windows: Sequence[tuple[str | None, str]] = ...,
    customer_base: object | None = None,
    purchases: Sequence[object] = ...,
    inactive_days: int | None = None,
    base_names: Mapping[str, str] = ...,
    purchase_names: Mapping[str, str] = ...,
) -> list[
    tuple[str, str, ArrowTable, list[tuple[str, int]], list[tuple[str | None, str | None, int]]]
]:
    """One (previous, current, moves, counts, transitions) per consecutive pair."""

def summarize(
    transactions: object,
    *,
    customer: str,
    time: str,
    amount: str,
    as_of: str,
    unit: str,
    since: str | None = None,
    tz: str,
    naive: str,
    strict: bool,
    quantity: str | None = None,
    margin: str | None = None,
    discount: str | None = None,
    amount_scale: int | None = None,
    max_listed_rejections: int | None = None,
    money: str = ...,
) -> tuple[ArrowTable, str, str, str | None, str]:
    """Summary table, reconciliation JSON, as_of, window start and unit."""

def calibration_holdout(
    transactions: object,
    *,
    customer: str,
    time: str,
    amount: str,
    calibration_end: str,
    as_of: str,
    unit: str,
    since: str | None = None,
    tz: str,
    naive: str,
    strict: bool,
    quantity: str | None = None,
    margin: str | None = None,
    discount: str | None = None,
    amount_scale: int | None = None,
    max_listed_rejections: int | None = None,
    money: str = ...,
) -> tuple[ArrowTable, str, str, str, str, float, ArrowTable]:
    """Split table, reconciliation JSON, calibration end, observation end, unit, holdout length,
    repeat occasions per day."""

def clv_tracking(
    model: str,
    values: list[float],
    split: object,
    occasions: object,
    calibration_end: str,
    as_of: str,
    unit: str,
    period_days: int,
) -> tuple[ArrowTable, str]:
    """The tracking table and the curve as JSON."""

def clv_holdout_groups(
    model: str,
    values: list[float],
    data: object,
    columns: list[str],
    duration: float,
    max_frequency: int,
) -> tuple[ArrowTable, str]:
    """The holdout_groups table and the groups as JSON."""

def clv_holdout_scores(
    data: object, columns: list[str]
) -> tuple[ArrowTable, ArrowTable, ArrowTable, str]:
    """Scores, deciles and Lorenz tables, and the scores as JSON."""

def rfm_scores(
    data: object,
    *,
    from_transactions: bool,
    customer: str,
    monetary: str,
    thresholds_json: str | None = None,
    segments_json: str | None = None,
    time: str | None = None,
    amount: str | None = None,
    as_of: str,
    unit: str = ...,
    since: str | None = None,
    tz: str = ...,
    naive: str = ...,
    strict: bool = False,
    last_purchase: str | None = None,
    occasions: str | None = None,
    spend: str | None = None,
    money: str = ...,
) -> tuple[tuple[ArrowTable, str, str], tuple[ArrowTable, str] | None]:
    """(RFM table, thresholds JSON, segment table JSON) and, from transactions, (summary table, reconciliation JSON)."""

def delivered_value(
    offers: object, *, names: Mapping[str, str], ours: str, weights_json: str | None = None
) -> tuple[ArrowTable, ArrowTable, ArrowTable, str]:
    """Offers, comparisons and gaps tables, and the report JSON."""

def period_metrics(
    customers: object,
    *,
    first_day: str,
    last_day: str,
    names: Mapping[str, Mapping[str, str]],
    activity_table: object | None = None,
    complaints_table: object | None = None,
    referrals_table: object | None = None,
    config_json: str | None = None,
) -> tuple[ArrowTable, str]:
    """Metric table and the report JSON."""

def customer_base_by_inactivity(
    during: object,
    *,
    first_day: str,
    last_day: str,
    names: Mapping[str, str],
    inactive_days: int | None = None,
    before: object | None = None,
) -> ArrowTable:
    """The spans (customer, since, until) under the inactivity rule."""

def survey_metrics(
    answers_table: object,
    customers: object,
    *,
    first_day: str,
    last_day: str,
    names: Mapping[str, Mapping[str, str]],
    confidence_z: str,
) -> tuple[ArrowTable, str]:
    """Group table and the report JSON."""

def degrees(
    customers: object,
    *,
    first_day: str,
    last_day: str,
    names: Mapping[str, Mapping[str, str]],
    answers_table: object | None = None,
    complaints_table: object | None = None,
    referrals_table: object | None = None,
    config_json: str | None = None,
) -> tuple[ArrowTable, ArrowTable, str]:
    """Per-customer table, base table and the report JSON."""

def vocabulary() -> list[tuple[str, list[str]]]:
    """Every crm-core vocabulary as (kind, names in report order)."""

# The argument checks of the Python layer: each builds crm-core's (or
# crm-io's) own error and returns its exception, for the caller to raise, so
# that no rule id or message is written in Python. `call` prefixes the
# message ("" for none); no function takes the value that was wrong.

def argument_error(call: str, name: str, form: str) -> BaseException:
    """`name` is not of `form` (column_name, pair, mapping, number, numbers, model, thresholds): rule argument_form."""

def required_error(call: str, name: str, unless: str | None = None) -> BaseException:
    """`name` was left out: rule required_parameter."""

def unknown_key_error(call: str, name: str, allowed: Sequence[str]) -> BaseException:
    """A key of `name` outside `allowed` (the message lists them): rule known_key."""

def summary_window_error(call: str, name: str, window: str) -> BaseException:
    """A summary of another window (period, day_before): rule summary_window."""

def not_fitted_error(call: str, name: str) -> BaseException:
    """The model `name` has no parameters: rule clv_fitted."""

def date_error(call: str, name: str) -> BaseException:
    """`name` is not a date: rule date_parameter."""

def whole_number(call: str, name: str, value: object, min: int, max: int) -> int:
    """`value` as a whole number in min..=max, or ConfigError (whole_number_in_range)."""

def finite_number(call: str, name: str, value: object) -> float:
    """`value` as a finite float, or ConfigError (finite_parameter)."""

def decimal_parameter(call: str, name: str, text: str) -> str:
    """`text` if crm-core reads it as an exact decimal, else ConfigError (decimal_parameter)."""

def task_threads(threads: object) -> int:
    """The worker threads of a Spark task, 1 to 256, or ConfigError (whole_number_in_range)."""

def missing_column_error(call: str, column: str, role: str, names: Sequence[str]) -> BaseException:
    """A column the frame does not have: rule column_present."""

def unreadable_column_error(call: str, column: str, found: str, expected: str) -> BaseException:
    """A column Python cannot hand over as Arrow: rule column_type."""

def declared_schema_error(
    call: str, column: str, expected: str, found: str | None = None
) -> BaseException:
    """A result column that does not fit its declared type (missing when `found` is None): rule declared_schema."""

def repeated_customer_error(call: str, column: str, customer: object, count: int) -> BaseException:
    """A customer id on `count` rows of a one-row-per-customer table: rule one_row_per_customer."""

def economics(kind: str, params_json: str) -> str:
    """One economics computation (clv, what_if, acquisition_retention): JSON in, JSON out."""

def equity(segments: object, *, names: Mapping[str, str], discount: str) -> tuple[ArrowTable, str]:
    """Customer equity table and the report JSON."""

def clv_fit(
    model: str,
    data: object,
    columns: Sequence[str | None],
    l2_penalty: float,
    max_iterations: int,
    gradient_tolerance: float,
) -> str:
    """Fits a CLV model on named columns; the fit (or the best point of a failed one) as JSON."""

def clv_compare(
    data: object,
    columns: Sequence[str],
    weights: str | None,
    holdout: str | None,
    holdout_duration: float | None,
    l2_penalty: float,
    max_iterations: int,
    gradient_tolerance: float,
) -> str:
    """Compares the repeat models on named columns and chooses one: the comparison,
    the choice (or null) and the error (message and rule, or null) as JSON."""

def clv_likelihood_ratio(ll_restricted: float, ll_full: float, df: int) -> tuple[float, int, float]:
    """The likelihood-ratio test of nested fits: (statistic, df, p_value)."""

def clv_predict(
    model: str,
    values: Sequence[float],
    what: str,
    data: object,
    columns: Sequence[str],
    t: float = 0.0,
    periods: int | None = None,
    period_length: float = 1.0,
    discount_rate: float = 0.0,
    n: int | None = None,
) -> bytes:
    """A per-customer prediction as little-endian float64 bytes."""

def clv_models() -> list[tuple[str, list[str], list[str], bool]]:
    """The engine's CLV models: (name, parameter names, fit columns, takes weights)."""

def clv_month_length(unit: str) -> float:
    """The length of a month on the clock ``unit``: 365.25 / 12 days."""

def clv_matrix(
    model: str,
    values: Sequence[float],
    what: str,
    age: float,
    max_frequency: int | None = None,
    max_recency: float | None = None,
    t: float = 0.0,
) -> tuple[list[float], list[float], list[float]]:
    """A prediction over the engine's frequency x recency grid: (frequencies, recencies, values)."""

def clv_predicted_tiers(
    repeat: str,
    repeat_values: Sequence[float],
    spend_values: Sequence[float],
    data: object,
    columns: Sequence[str],
    months: int,
    discount_rate: float,
    unit: str,
    value: str,
    by: str,
    cutoffs: tuple[str, str] | None,
    money: str,
) -> tuple[ArrowTable, ArrowTable, str, str]:
    """classify's output for the customers tiered on a predicted value."""

def clv_predictions(
    repeat: str,
    repeat_values: Sequence[float],
    spend_values: Sequence[float],
    data: object,
    columns: Sequence[str],
    months: int,
    discount_rate: float,
    unit: str,
    level: float | None = None,
    repeat_covariance: Sequence[float] | None = None,
    spend_covariance: Sequence[float] | None = None,
) -> tuple[ArrowTable, str | None]:
    """The clv_predictions table of crm-io for every customer of ``data``
    (with ``level``: the clv_intervals table and the totals' JSON)."""

def clv_curve(
    model: str, values: Sequence[float], what: str, points: Sequence[float], t: float = 0.0
) -> list[float]:
    """A population curve (expected purchases, P(n), survival...) at the given points."""

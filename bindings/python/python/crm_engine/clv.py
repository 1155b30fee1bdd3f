"""Customer lifetime value: the "buy till you die" models, fitted in Rust.

Six models of :mod:`crm_core::clv`, with the fit and prediction names
lifetimes users know, but fast (see BENCHMARKS.md) and numerically safe for
any frequency (Pareto/NBD's hypergeometric terms are summed in log space):

=====================  ==================================================  ==========================
class                  model                                               data
=====================  ==================================================  ==========================
:class:`BetaGeo`           BG/NBD (Fader, Hardie & Lee 2005)                   frequency, recency, T
:class:`ModifiedBetaGeo`   MBG/NBD (Batislam et al. 2007)                      frequency, recency, T
:class:`ParetoNBD`         Pareto/NBD (Schmittlein et al. 1987)                frequency, recency, T
:class:`BetaGeoBetaBinom`  BG/BB, discrete periods (Fader, Hardie & Shang)     frequency, recency, n
:class:`GammaGamma`        spend per transaction (Fader & Hardie 2013)         frequency, monetary_value
:class:`ShiftedBetaGeo`    sBG contractual retention (Fader & Hardie 2007)     survivors per period
=====================  ==================================================  ==========================

``fit`` takes any Arrow-compatible table (pyarrow, polars, pandas >= 2.2, a
mapping of numpy arrays, or the result of :func:`crm_engine.summarize`, whose
column names are the defaults) and releases the GIL. Identical customers are
compressed into weighted rows before fitting; ``weights=`` names a column of
counts for data that is already compressed. Predictions take numpy arrays,
Arrow arrays or series and return numpy arrays (numpy is needed for them).

Which customers a fit uses is the engine's rule, the same for the ``crm``
command and Spark, and ``report["fit_set"]`` counts the others by reason:
the repeat-purchase models leave out customers first seen on the analysis
date (``T = 0``: nothing observed yet); Gamma-Gamma keeps the repeat
customers (frequency > 0) with a positive mean repeat spend. Predictions
cover every customer: ``T = 0`` customers as new customers, and customers
outside the spend fit set get the population mean spend.

:func:`holdout_scores` scores predictions of a holdout period (MAE, RMSE,
aggregate error, correlation, Gini with the Lorenz curve, deciles) on the
split of :func:`crm_engine.calibration_holdout`; ``crm clv validate`` does
the fit, the prediction and the scores in one command.

:func:`compare_models` fits BG/NBD, MBG/NBD and Pareto/NBD on one data set
and reports each one's log-likelihood, AIC, BIC and, with a holdout, the
error of its holdout predictions; :meth:`ModelComparison.choose` names the
model to use (the lowest holdout error when a holdout is given, else the
lowest BIC; a fit that did not converge is never chosen). Every fitted model
has ``aic``, ``bic`` and ``information_criteria``; :func:`likelihood_ratio`
tests a fit against a restricted (nested) one.

:func:`predictions` gives the ``crm clv predict`` table (one row per
customer: P(alive), expected purchases and spend over a horizon in months,
discounted CLV); a month is :func:`month_length` time units.
:func:`prediction_intervals` adds an interval (default 90 %) around every
figure and the totals, from the fits' ``covariance``.

Under BG/NBD a customer with no repeat purchase is alive with probability 1:
dropout happens only after a repeat purchase, by the model's assumption. Use
:class:`ModifiedBetaGeo` when that matters.

Example::

    from crm_engine.clv import BetaGeo, GammaGamma
    bg = BetaGeo().fit(summary)                 # columns frequency, recency, T
    bg.params                                   # {'r': ..., 'alpha': ..., 'a': ..., 'b': ...}
    bg.p_alive(f, r, T)                         # numpy arrays in, numpy array out
    gg = GammaGamma().fit(summary)              # columns frequency, monetary_value
    gg.customer_lifetime_value(bg, f, r, T, m, time=12, discount_rate=0.01)
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, TypeVar

from . import _crm_engine
from ._errors import ConvergenceError, _engine_convergence_error
from ._holdout import (
    HoldoutGroups,
    HoldoutScores,
    Tracking,
    holdout_groups,
    holdout_scores,
    tracking,
)
from ._input import prepare
from ._predictions import (
    DEFAULT_LEVEL,
    PredictionIntervals,
    predicted_tiers,
    prediction_intervals,
    prediction_matrix,
    predictions,
)


def _finite(name: str, value: object) -> float:
    """A float parameter, or a ConfigError (crm-core's rule ``finite_parameter``)
    naming it: never a builtin OverflowError or ValueError, and never the value."""
    return _crm_engine.finite_number("", name, value)


__all__ = [
    "compare_models",
    "likelihood_ratio",
    "ModelComparison",
    "predictions",
    "prediction_intervals",
    "PredictionIntervals",
    "predicted_tiers",
    "prediction_matrix",
    "DEFAULT_LEVEL",
    "holdout_scores",
    "Tracking",
    "HoldoutScores",
    "HoldoutGroups",
    "month_length",
    "BetaGeo",
    "ModifiedBetaGeo",
    "ParetoNBD",
    "BetaGeoBetaBinom",
    "GammaGamma",
    "ShiftedBetaGeo",
]

_M = TypeVar("_M", bound="_Model")

# The engine's model registry: name -> (parameter names, fit columns, weights).
_REGISTRY: dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]] = {
    name: (tuple(params), tuple(columns), weights)
    for name, params, columns, weights in _crm_engine.clv_models()
}


def _parameters(model: str) -> tuple[str, ...]:
    """The parameter names of a model of the engine's registry."""
    return _REGISTRY[model][0]


def month_length(unit: str = "day") -> float:
    """The length of a month on the clock ``unit`` ("day" or "week"): 365.25 / 12 days."""
    return _crm_engine.clv_month_length(unit)


def _numpy() -> Any:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a test dependency
        raise ImportError(
            "crm_engine.clv predictions return numpy arrays: pip install numpy"
        ) from None
    return np


def _column(value: object) -> object:
    """An array the engine can read: lists and scalars become numpy float arrays."""
    if isinstance(value, (int, float)) or isinstance(value, (list, tuple)):
        return _numpy().asarray(value, dtype="float64").reshape(-1)
    if type(value).__module__.split(".", 1)[0] == "pandas" and hasattr(value, "to_numpy"):
        kind = getattr(getattr(value, "dtype", None), "kind", "O")
        return value.to_numpy(dtype="float64") if kind in "biuf" else value
    return value


class _Model:
    """Common state of a fitted or given model."""

    _model: ClassVar[str]
    _names: ClassVar[tuple[str, ...]]

    params: dict[str, float] | None
    """The parameters by name (None before ``fit``)."""
    log_likelihood: float | None
    """Total log-likelihood at ``params`` on the data's own time scale."""
    standard_errors: dict[str, float] | None
    """Standard errors from the Hessian (None before ``fit``, or at a flat optimum)."""
    covariance: list[list[float]] | None
    """The covariance of the parameter estimates (the inverse of the observed
    information), rows and columns in the order of ``params``: what
    :func:`prediction_intervals` propagates (None when there are no standard
    errors, and for ``from_params``)."""
    information_criteria: dict[str, float] | None
    """The fit's ``log_likelihood``, ``parameters`` (k), ``observations`` (n, the
    customers of the fit set, weighted), ``aic`` (2k - 2 LL) and ``bic``
    (k ln n - 2 LL), from the engine (None before ``fit``)."""
    aic: float | None
    """Akaike's criterion 2k - 2 LL of the fit (None before ``fit``)."""
    bic: float | None
    """The Bayesian criterion k ln n - 2 LL of the fit (None before ``fit``)."""
    report: dict[str, Any] | None
    """The optimiser's report: iterations, evaluations, converged, gradient_norm,
    ``starts`` (deterministic starting points tried), ``at_bound`` (parameters
    driven to the edge of their range, when any), ``hessian_condition`` (the
    condition number of the observed information on the log-parameters; absent
    when that matrix is not positive definite), customers, rows, ``fit_set``
    (customers used and left out, by reason) and ``warnings`` (e.g.
    ``"mean_spend_undefined"``: a Gamma-Gamma fit with q <= 1, whose population
    mean spend does not exist; ``"parameter_at_bound"``; ``"weakly_identified"``:
    a condition above 1e8 or none, so standard errors are missing or unreliable)."""

    def __init__(
        self, l2_penalty: float = 0.0, max_iterations: int = 500, gradient_tolerance: float = 1e-8
    ) -> None:
        self.l2_penalty = _finite("l2_penalty", l2_penalty)
        # Checked by the engine at fit time (a negative or huge value is a ConfigError).
        self.max_iterations = max_iterations
        self.gradient_tolerance = _finite("gradient_tolerance", gradient_tolerance)
        self.params = None
        self.log_likelihood = None
        self.standard_errors = None
        self.covariance = None
        self.information_criteria = None
        self.aic = None
        self.bic = None
        self.report = None

    @classmethod
    def from_params(cls: type[_M], **params: float) -> _M:
        """A model with given parameters (e.g. published ones), ready to predict."""
        call = f"{cls.__name__}.from_params"
        if any(n not in cls._names for n in params):
            raise _crm_engine.unknown_key_error(call, "params", list(cls._names))
        for n in cls._names:
            if n not in params:
                raise _crm_engine.required_error(call, n)
        m = cls()
        m.params = {n: _crm_engine.finite_number(call, n, params[n]) for n in cls._names}
        return m

    def _values(self) -> list[float]:
        if self.params is None:
            raise _crm_engine.not_fitted_error("predict", type(self).__name__)
        return [self.params[n] for n in self._names]

    def _fit(self: _M, data: object, columns: list[str | None]) -> _M:
        wanted = [c for c in columns if c is not None]
        if type(data).__module__.split(".", 1)[0] == "pandas" and all(
            c in getattr(data, "columns", ()) for c in wanted
        ):
            # Numeric pandas columns pass as numpy arrays: no pyarrow needed.
            data = {c: _column(data[c]) for c in dict.fromkeys(wanted)}  # type: ignore[index]
        prepared = prepare(data, columns)
        text = _crm_engine.clv_fit(
            self._model,
            prepared,
            columns,
            self.l2_penalty,
            self.max_iterations,
            self.gradient_tolerance,
        )
        out = json.loads(text)
        if "error" in out:
            raise ConvergenceError(
                out["error"],
                best=out["best"],
                log_likelihood=out["log_likelihood"],
                report=out["report"],
            )
        return self._load(out)

    def _load(self: _M, out: dict[str, Any]) -> _M:
        """Takes the engine's fit (its serde form: model, fit_set, warnings)."""
        fitted = out["model"]
        self.params = {n: float(fitted["params"][n]) for n in self._names}
        self.log_likelihood = float(fitted["log_likelihood"])
        se = fitted.get("standard_errors")
        self.standard_errors = None if se is None else {n: float(se[n]) for n in self._names}
        cov = fitted.get("covariance")
        k = len(self._names)
        self.covariance = (
            None if cov is None else [[float(cov[i * k + j]) for j in range(k)] for i in range(k)]
        )
        self.report = dict(
            fitted["report"],
            customers=fitted["customers"],
            rows=fitted["rows"],
            fit_set=out["fit_set"],
            warnings=out.get("warnings", []),
        )
        criteria = out.get("information_criteria")
        self.information_criteria = None if criteria is None else dict(criteria)
        self.aic = None if criteria is None else float(criteria["aic"])
        self.bic = None if criteria is None else float(criteria["bic"])
        return self

    def _predict(self, what: str, columns: dict[str, object], **kwargs: Any) -> Any:
        np = _numpy()
        values = self._values()
        data = {k: _column(v) for k, v in columns.items()}
        raw = _crm_engine.clv_predict(
            self._model, values, what, prepare(data, list(data)), list(data), **kwargs
        )
        return np.frombuffer(raw, dtype="<f8")

    def _curve(self, what: str, points: object, t: float = 0.0) -> Any:
        np = _numpy()
        try:
            pts = np.asarray(points, dtype="float64").reshape(-1).tolist()
        except (TypeError, ValueError, OverflowError):
            raise _crm_engine.argument_error("curve", "points", "numbers") from None
        return np.asarray(
            _crm_engine.clv_curve(self._model, self._values(), what, pts, _finite("t", t)),
            dtype="float64",
        )

    def __repr__(self) -> str:
        if self.params is None:
            return f"<{type(self).__name__} (not fitted)>"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"<{type(self).__name__} {ps}>"


class _RepeatModel(_Model):
    """BG/NBD, MBG/NBD and Pareto/NBD share data and predictions."""

    def fit(
        self: _M,
        data: object,
        *,
        frequency: str = "frequency",
        recency: str = "recency",
        T: str = "T",
        weights: str | None = None,
    ) -> _M:
        """Fits by maximum likelihood on the columns frequency (x), recency (t_x), T.

        Raises ``InvalidValueError`` naming row and column for a row that breaks
        a rule (x a whole number >= 0, 0 <= t_x <= T, t_x = 0 exactly when x = 0),
        ``ConvergenceError`` (with ``best``) when the search does not converge.
        """
        return self._fit(data, [frequency, recency, T, weights])  # type: ignore[attr-defined, no-any-return]

    def p_alive(self, frequency: object, recency: object, T: object) -> Any:
        """P(the customer is still alive at T) for each customer."""
        return self._predict("p_alive", {"frequency": frequency, "recency": recency, "T": T})

    def conditional_expected_purchases(
        self, t: float, frequency: object, recency: object, T: object
    ) -> Any:
        """Expected purchases in (T, T + t] given each customer's history."""
        return self._predict(
            "conditional_expected_purchases",
            {"frequency": frequency, "recency": recency, "T": T},
            t=_finite("t", t),
        )

    def expected_purchases(self, t: object) -> Any:
        """Expected repeat purchases of a new customer in (0, t], for each t."""
        return self._curve("expected_purchases", t)

    def p_purchases(self, n: object, t: float) -> Any:
        """P(a new customer makes exactly n repeat purchases in (0, t]), for each n."""
        return self._curve("p_purchases", n, t)

    def tracking(self, split: Any, *, period_days: int = 7) -> Tracking:
        """The tracking curve: the calibration customers' repeat purchases per
        period, actual against this model's expectation, across calibration
        and holdout (Fader, Hardie & Lee 2005, figures 2 and 4).

        ``split`` is a :func:`crm_engine.calibration_holdout` result on the
        clock this model was fitted on (fit it on the split's ``_cal``
        columns). A customer who first bought on day ``b`` is expected to
        have made ``expected_purchases(t)`` repeat purchases ``t`` after
        ``b``; the curve sums that over the cohort at each period's end.

        >>> import datetime, pyarrow as pa, crm_engine
        >>> from crm_engine.clv import BetaGeo
        >>> days = [(1, 2), (2, 10), (1, 5), (3, 20)]
        >>> tx = pa.table({"id": [1, 1, 2, 2],
        ...                "day": [datetime.date(2024, m, d) for m, d in days],
        ...                "amount": [10.0, 12.0, 8.0, 9.0]})
        >>> split = crm_engine.calibration_holdout(tx, customer="id", time="day", amount="amount",
        ...                                        calibration_end="2024-02-29", as_of="2024-03-31")
        >>> model = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> curve = model.tracking(split, period_days=30)
        >>> curve.to_arrow().column("actual_cumulative").to_pylist()[-1]
        2

        Raises:
            ConfigError: ``split`` is not a split, ``period_days`` is not a
                whole number of days >= 1, or the curve would sum more than
                20 million cohorts × periods (take longer periods).
        """
        return tracking(self, split, period_days=period_days)

    def holdout_groups(
        self,
        data: Any,
        *,
        max_frequency: int = 7,
        duration_holdout: float | None = None,
        frequency: str = "frequency_cal",
        recency: str = "recency_cal",
        T: str = "T_cal",
        holdout: str = "frequency_holdout",
    ) -> HoldoutGroups:
        """Mean holdout purchases, actual against this model's conditional
        expectation, by calibration frequency (the last group
        ``max_frequency`` and more), by recency and by time since the last
        purchase in whole units (Fader, Hardie & Lee 2005, figure 3).

        ``data`` is a :func:`crm_engine.calibration_holdout` result (its
        ``duration_holdout`` is used) or any table with the named columns,
        such as lifetimes' ``calibration_and_holdout_data`` (then pass
        ``duration_holdout``). Each customer's prediction is
        :meth:`conditional_expected_purchases` over ``duration_holdout``;
        a group's means do not depend on the row order. The frequency groups
        below ``max_frequency`` are those of lifetimes'
        ``plot_calibration_purchases_vs_holdout_purchases``.

        >>> import datetime, pyarrow as pa, crm_engine
        >>> from crm_engine.clv import BetaGeo
        >>> days = [(1, 2), (2, 10), (1, 5), (3, 20), (1, 9)]
        >>> tx = pa.table({"id": [1, 1, 2, 2, 3],
        ...                "day": [datetime.date(2024, m, d) for m, d in days],
        ...                "amount": [10.0, 12.0, 8.0, 9.0, 5.0]})
        >>> split = crm_engine.calibration_holdout(tx, customer="id", time="day", amount="amount",
        ...                                        calibration_end="2024-02-29", as_of="2024-03-31")
        >>> model = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> g = model.holdout_groups(split).by("frequency").to_pandas()
        >>> g[["label", "customers", "actual_purchases"]].values.tolist()
        [['0', 2, 0.5], ['1', 1, 0.0]]

        Raises:
            ColumnError: a named column is missing.
            InvalidValueError: a frequency or holdout count that is not a
                whole number, a recency or T that is negative or not
                finite, or T below the recency (names the row and column).
            ConfigError: ``max_frequency`` below 1, or ``duration_holdout``
                missing or not a number.
        """
        return holdout_groups(
            self,
            data,
            max_frequency=max_frequency,
            duration_holdout=duration_holdout,
            frequency=frequency,
            recency=recency,
            T=T,
            holdout=holdout,
        )

    def customer_lifetime_value(
        self,
        frequency: object,
        recency: object,
        T: object,
        spend: object,
        *,
        time: int = 12,
        discount_rate: float = 0.01,
        period_length: float = 1.0,
    ) -> Any:
        """Discounted value over ``time`` periods of ``period_length`` time units.

        ``spend`` is the expected value per purchase (e.g. from
        :meth:`GammaGamma.conditional_expected_spend`); ``discount_rate`` is per
        period. lifetimes' monthly periods are ``period_length=4.345`` on weeks,
        ``30`` on days.
        """
        return self._predict(
            "customer_lifetime_value",
            {"frequency": frequency, "recency": recency, "T": T, "monetary_value": spend},
            periods=time,
            period_length=_finite("period_length", period_length),
            discount_rate=_finite("discount_rate", discount_rate),
        )


class BetaGeo(_RepeatModel):
    """BG/NBD: purchases at Gamma(r, alpha) rates, dropout after each repeat purchase with Beta(a, b) probability.

    A customer with frequency 0 has P(alive) = 1 by the model's assumption;
    see :class:`ModifiedBetaGeo`.
    """

    _model = "bg_nbd"
    _names = _parameters("bg_nbd")


class ModifiedBetaGeo(_RepeatModel):
    """MBG/NBD: as BG/NBD, but the customer may also leave right after the first purchase."""

    _model = "mbg_nbd"
    _names = _parameters("mbg_nbd")


class ParetoNBD(_RepeatModel):
    """Pareto/NBD: purchases at Gamma(r, alpha) rates, exponential lifetimes at Gamma(s, beta) rates."""

    _model = "pareto_nbd"
    _names = _parameters("pareto_nbd")

    def conditional_probability_of_n_purchases(
        self, n: int, t: float, frequency: object, recency: object, T: object
    ) -> Any:
        """P(exactly ``n`` purchases in (T, T + t]) for each customer, given
        their history (Fader & Hardie 2014; lifetimes'
        ``conditional_probability_of_n_purchases_up_to_time``).

        Over ``n`` = 0, 1, 2, ... the probabilities sum to 1 and their mean is
        :meth:`conditional_expected_purchases`. A customer with
        ``frequency = recency = T = 0`` is predicted as a new customer.

        >>> from crm_engine.clv import ParetoNBD
        >>> m = ParetoNBD.from_params(r=0.5534, alpha=10.5802, s=0.6061, beta=11.6562)
        >>> p = m.conditional_probability_of_n_purchases(2, 39.0, [2.0], [30.43], [38.86])
        >>> round(float(p[0]), 6)
        0.151746

        Raises:
            InvalidValueError: a history that breaks the rules of :meth:`fit`
                (names the row and column).
            ConfigError: ``n`` is not a whole number >= 0, or ``t`` is
                negative or not finite.
        """
        return self._predict(
            "conditional_probability_of_n_purchases",
            {"frequency": frequency, "recency": recency, "T": T},
            t=_finite("t", t),
            n=n,
        )


class BetaGeoBetaBinom(_Model):
    """BG/BB: at most one transaction per discrete period (donations, yearly events)."""

    _model = "bg_bb"
    _names = _parameters("bg_bb")

    def fit(
        self,
        data: object,
        *,
        frequency: str = "frequency",
        recency: str = "recency",
        n_periods: str = "periods",
        weights: str | None = None,
    ) -> BetaGeoBetaBinom:
        """Fits on frequency (x), recency (t_x, period of the last transaction) and n_periods (n)."""
        return self._fit(data, [frequency, recency, n_periods, weights])

    def p_alive(self, frequency: object, recency: object, n_periods: object) -> Any:
        """P(alive at the start of period n + 1) for each customer."""
        return self._predict(
            "p_alive", {"frequency": frequency, "recency": recency, "n": n_periods}
        )

    def conditional_expected_purchases(
        self, t: int, frequency: object, recency: object, n_periods: object
    ) -> Any:
        """Expected transactions in periods n + 1 .. n + t given each history."""
        return self._predict(
            "conditional_expected_purchases",
            {"frequency": frequency, "recency": recency, "n": n_periods},
            t=_finite("t", t),
        )

    def expected_purchases(self, n: object) -> Any:
        """Expected transactions of a new customer in its first n periods, for each n."""
        return self._curve("expected_purchases", n)

    def p_purchases(self, x: object, n: int) -> Any:
        """P(a new customer transacts in exactly x of its first n periods), for each x."""
        return self._curve("p_purchases", x, n)


class GammaGamma(_Model):
    """Gamma-Gamma spend: transaction values Gamma(p, nu), nu ~ Gamma(q, v).

    ``fit`` uses the repeat customers with a positive mean repeat spend; the
    others (frequency 0, or repeat purchases netting to zero or less) are
    counted in ``report["fit_set"]``. :meth:`conditional_expected_spend` gives
    them the population mean. When the fit has q <= 1 (heavy-tailed spend)
    that mean does not exist: ``report["warnings"]`` says
    ``"mean_spend_undefined"`` and their expected spend is refused
    (``InvalidValueError``, rule ``mean_spend_undefined``).
    """

    _model = "gamma_gamma"
    _names = _parameters("gamma_gamma")

    def fit(
        self,
        data: object,
        *,
        frequency: str = "frequency",
        monetary_value: str = "monetary_value",
        weights: str | None = None,
    ) -> GammaGamma:
        """Fits on frequency (x) and the mean repeat spend monetary_value (z-bar)."""
        return self._fit(data, [frequency, monetary_value, weights])

    def conditional_expected_spend(self, frequency: object, monetary_value: object) -> Any:
        """Expected value of each customer's next transaction.

        The population mean for customers outside the fit set (frequency 0,
        or a mean repeat spend of zero or less).
        """
        return self._predict(
            "conditional_expected_spend", {"frequency": frequency, "monetary_value": monetary_value}
        )

    def customer_lifetime_value(
        self,
        transaction_model: BetaGeo | ModifiedBetaGeo | ParetoNBD,
        frequency: object,
        recency: object,
        T: object,
        monetary_value: object,
        *,
        time: int = 12,
        discount_rate: float = 0.01,
        period_length: float = 1.0,
    ) -> Any:
        """Discounted CLV as lifetimes' ``customer_lifetime_value``: expected spend times discounted purchases."""
        spend = self.conditional_expected_spend(frequency, monetary_value)
        return transaction_model.customer_lifetime_value(
            frequency,
            recency,
            T,
            spend,
            time=time,
            discount_rate=discount_rate,
            period_length=period_length,
        )


class ShiftedBetaGeo(_Model):
    """sBG contractual retention: churn probability Beta(alpha, beta) across customers."""

    _model = "sbg"
    _names = _parameters("sbg")

    def fit(self, survivors: object) -> ShiftedBetaGeo:  # type: ignore[override]
        """Fits on the survivors of a cohort at the end of periods 0, 1, ..., n (a sequence or array)."""
        return self._fit({"survivors": _column(survivors)}, ["survivors"])

    def survival(self, t: object) -> Any:
        """S(t): the share of the cohort still active after t periods, for each t."""
        return self._curve("survival", t)

    def retention_rate(self, t: object) -> Any:
        """The retention rate of period t (>= 1), for each t: rising over time."""
        return self._curve("retention_rate", t)

    def churn(self, t: object) -> Any:
        """P(a customer leaves in period t), for each t."""
        return self._curve("churn", t)


_REPEAT_CLASSES: dict[str, type[_RepeatModel]] = {
    cls._model: cls for cls in (BetaGeo, ModifiedBetaGeo, ParetoNBD)
}


class ModelComparison:
    """The repeat models fitted on one data set, side by side (crm-core's
    ``clv::choice``); made by :func:`compare_models`.

    Attributes:
        rows: one dict per model, in the engine's order (bg_nbd, mbg_nbd,
            pareto_nbd): ``kind``, ``converged``, ``log_likelihood``,
            ``parameters`` (k), ``observations`` (n), ``aic``, ``bic``,
            ``bic_rank`` (1 = lowest BIC among converged fits, None for a fit
            that did not converge), ``holdout_mae`` and ``holdout_rmse``
            (None without a holdout).
        criterion: what :meth:`choose` ranks by, ``"holdout_mae"`` or ``"bic"``.
        chosen: the chosen model's name, or None when no model converged.
        skipped: the models the choice passed over, as dicts ``kind``,
            ``reason`` (``"not_converged"``).
    """

    rows: list[dict[str, Any]]
    criterion: str
    chosen: str | None
    skipped: list[dict[str, str]]

    def __init__(self, out: dict[str, Any]) -> None:
        comparison = out["comparison"]
        self.rows = [dict(r) for r in comparison["rows"]]
        self.criterion = str(comparison["criterion"])
        keys = ("log_likelihood", "parameters", "observations", "aic", "bic")
        rows = {r["kind"]: r for r in self.rows}
        self._fits = {
            f["model"]["kind"]: dict(
                f, information_criteria={k: rows[f["model"]["kind"]][k] for k in keys}
            )
            for f in comparison["fits"]
        }
        choice = out.get("choice")
        self.chosen = None if choice is None else str(choice["kind"])
        self.skipped = [] if choice is None else [dict(s) for s in choice["skipped"]]
        self._error = out.get("error")

    def choose(self) -> str:
        """The name of the chosen model (e.g. ``"bg_nbd"``).

        Raises ``ConvergenceError`` (rule ``no_model_converged``) when no model
        converged: a fit that stopped early is never chosen.
        """
        if self.chosen is None:
            raise _engine_convergence_error(self._error or {})
        return self.chosen

    def fitted(self, kind: str | None = None) -> _RepeatModel:
        """The fitted model of ``kind`` (default: the chosen one), ready to predict.

        Raises ``ConfigError`` (rule ``clv_fitted``) for a model whose fit did not
        converge, and ``ConvergenceError`` when ``kind`` is None and nothing was chosen.
        """
        name = self.choose() if kind is None else kind
        if name not in _REPEAT_CLASSES:
            raise _crm_engine.unknown_key_error("fitted", "kind", list(_REPEAT_CLASSES))
        fit = self._fits.get(name)
        if fit is None:
            raise _crm_engine.not_fitted_error("fitted", name)
        return _REPEAT_CLASSES[name]()._load(fit)

    def __repr__(self) -> str:
        return (
            f"<ModelComparison {len(self.rows)} models, chosen={self.chosen!r} by {self.criterion}>"
        )


def compare_models(
    data: object,
    *,
    frequency: str = "frequency",
    recency: str = "recency",
    T: str = "T",
    weights: str | None = None,
    holdout: str | None = None,
    holdout_duration: float | None = None,
    l2_penalty: float = 0.0,
    max_iterations: int = 500,
    gradient_tolerance: float = 1e-8,
) -> ModelComparison:
    """Fits BG/NBD, MBG/NBD and Pareto/NBD on the same customers and compares them.

    ``holdout`` names a column of holdout purchases per customer (e.g.
    ``frequency_holdout`` of :func:`crm_engine.calibration_holdout`, with
    ``frequency_cal`` etc. as the fit columns) and ``holdout_duration`` the
    holdout's length on the same clock (its ``duration_holdout``); with them
    the choice is the lowest mean absolute error of the predicted holdout
    purchases, else the lowest BIC. A fit that does not converge is a row with
    ``converged`` False, never the choice.

    Example::

        c = compare_models(summary)      # columns frequency, recency, T
        c.rows[0]["bic"], c.choose()     # e.g. 19195.9, "bg_nbd"
        model = c.fitted()               # the chosen model, fitted
    """
    columns = [frequency, recency, T]
    named = [*columns, weights, holdout]
    wanted = [c for c in named if c is not None]
    if type(data).__module__.split(".", 1)[0] == "pandas" and all(
        c in getattr(data, "columns", ()) for c in wanted
    ):
        data = {c: _column(data[c]) for c in dict.fromkeys(wanted)}  # type: ignore[index]
    duration = None if holdout_duration is None else _finite("holdout_duration", holdout_duration)
    text = _crm_engine.clv_compare(
        prepare(data, named),
        columns,
        weights,
        holdout,
        duration,
        _finite("l2_penalty", l2_penalty),
        max_iterations,
        _finite("gradient_tolerance", gradient_tolerance),
    )
    return ModelComparison(json.loads(text))


def likelihood_ratio(ll_restricted: float, ll_full: float, df: int) -> dict[str, float]:
    """The likelihood-ratio test of a restricted fit against the full model it is nested in.

    ``df`` is the number of parameters the restriction fixes. Returns
    ``statistic`` (2 (ll_full - ll_restricted)), ``df`` and ``p_value`` (the
    chi-square survival function). **The caller asserts the nesting**: no two
    models of the engine are nested (BG/NBD and Pareto/NBD are not, nor BG/NBD
    and MBG/NBD); the test is for a model against the same model with
    parameters fixed inside their range. Raises ``ConfigError`` when the full
    fit is clearly worse than the restricted one (rule ``clv_argument``).
    """
    statistic, dof, p = _crm_engine.clv_likelihood_ratio(
        _finite("ll_restricted", ll_restricted), _finite("ll_full", ll_full), df
    )
    return {"statistic": statistic, "df": dof, "p_value": p}

"""The exceptions of crm_engine.

Every error raised by a crm_engine call is a :class:`CrmError`. Each class
also derives from the built-in exception that fits, so code that catches
``ValueError``/``TypeError``/``KeyError`` keeps working:

==========================  ==============================  ==========================================
class                       also a                          raised when
==========================  ==============================  ==========================================
``InputError``              ``ValueError``                  the input data breaks a rule (base class)
``ColumnError``             ``InputError``, ``KeyError``    a named column is missing, lengths differ
``InvalidValueError``       ``InputError``                  NaN, infinity, null, out-of-range value,
                                                            unknown tier name, bad behaviour figure
``DuplicateCustomerError``  ``InputError``                  a customer appears twice
``RejectedRowError``        ``InputError``                  ``strict=True`` and a row is rejected
``DtypeError``              ``TypeError``                   a column has a type the call cannot read
``ConfigError``             ``ValueError``                  a parameter is invalid (cut-offs, unit...)
``DecimalOverflowError``    ``OverflowError``               an exact decimal sum leaves Decimal's range
``InternalError``           ``RuntimeError``                a bug in crm_engine (please report it)
``ConvergenceError``        ``RuntimeError``                a model fit did not converge (``best``)
==========================  ==============================  ==========================================

The message is the engine's own: it says what is wrong, in which row and
column, and which rule was broken. The same facts are attributes:
``row`` (the 1-based data row of the input table, as files count and as
crm-core reports it everywhere: the first row is 1), ``column``, ``rule`` (crm-core's stable snake_case rule id) and ``customer`` (the customer
id, when one is concerned). Messages never contain customer data other than
a customer id.
"""

from __future__ import annotations

__all__ = [
    "CrmError",
    "InputError",
    "ColumnError",
    "InvalidValueError",
    "DuplicateCustomerError",
    "RejectedRowError",
    "DtypeError",
    "ConfigError",
    "DecimalOverflowError",
    "InternalError",
    "ConvergenceError",
]


class CrmError(Exception):
    """Base class of every crm_engine error.

    Attributes:
        message: what is wrong, where, and which rule.
        row: the 1-based data row concerned, or None.
        column: the column concerned, or None.
        rule: the rule broken (snake_case), or None.
        customer: the customer id concerned (as text), or None.
    """

    message: str
    row: int | None
    column: str | None
    rule: str | None
    customer: str | None

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        rule: str | None = None,
        customer: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        self.rule = rule
        self.customer = customer

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild,
            (type(self), self.message, self.row, self.column, self.rule, self.customer),
        )


def _rebuild(
    cls: type[CrmError],
    message: str,
    row: int | None,
    column: str | None,
    rule: str | None,
    customer: str | None,
) -> CrmError:
    return cls(message, row=row, column=column, rule=rule, customer=customer)


class InputError(CrmError, ValueError):
    """The input data breaks a rule."""


class ColumnError(InputError, KeyError):
    """A named column is missing, or the columns have different lengths."""


class InvalidValueError(InputError):
    """A value breaks its rule: NaN, infinity, null, out of range, unknown name."""


class DuplicateCustomerError(InputError):
    """A customer appears more than once where one row per customer is required."""


class RejectedRowError(InputError):
    """``strict=True`` and a transaction row was rejected."""


class DtypeError(CrmError, TypeError):
    """A column has a type the call cannot read."""


class ConfigError(CrmError, ValueError):
    """A parameter is invalid."""


class DecimalOverflowError(CrmError, OverflowError):
    """An exact decimal sum does not fit Decimal's 28-29 significant digits."""


class InternalError(CrmError, RuntimeError):
    """A bug in crm_engine: a Rust panic was caught at the boundary."""


class ConvergenceError(CrmError, RuntimeError):
    """A model fit stopped before its convergence criterion was met.

    Attributes:
        best: the best parameters found, by name.
        log_likelihood: the total log-likelihood at ``best``.
        report: how the search went (iterations, evaluations, gradient norm).
    """

    best: dict[str, float]
    log_likelihood: float
    report: dict[str, object]

    def __init__(
        self,
        message: str,
        *,
        best: dict[str, float] | None = None,
        log_likelihood: float = float("nan"),
        report: dict[str, object] | None = None,
        rule: str | None = "convergence",
    ) -> None:
        super().__init__(message, rule=rule)
        self.best = dict(best or {})
        self.log_likelihood = log_likelihood
        self.report = dict(report or {})

    def __reduce__(self) -> tuple[object, ...]:
        return (
            _rebuild_convergence,
            (self.message, self.best, self.log_likelihood, self.report, self.rule),
        )


def _rebuild_convergence(
    message: str,
    best: dict[str, float],
    log_likelihood: float,
    report: dict[str, object],
    rule: str | None = "convergence",
) -> ConvergenceError:
    return ConvergenceError(
        message, best=best, log_likelihood=log_likelihood, report=report, rule=rule
    )


def _engine_convergence_error(error: dict[str, object]) -> ConvergenceError:
    """The :class:`ConvergenceError` of an error record the engine returned
    (``message`` and ``rule``, crm-core's own) instead of raising it."""
    return ConvergenceError(
        str(error.get("message", "clv: no model converged")),
        rule=str(error["rule"]) if "rule" in error else None,
    )

"""Preparing the caller's table for the engine, without copying row by row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ._errors import ConfigError, DtypeError

__all__ = ["prepare", "decimal_text"]


def _module_of(obj: object) -> str:
    return type(obj).__module__.split(".", 1)[0]


def _numpy_to_arrow(name: str, arr: Any) -> Any:
    """Text / object numpy arrays go through pyarrow; numeric ones pass as they are."""
    kind = getattr(getattr(arr, "dtype", None), "kind", None)
    if kind in ("U", "S", "O", "T"):
        try:
            import pyarrow as pa
        except ImportError:  # pragma: no cover - pyarrow is a test dependency
            raise DtypeError(
                f"column `{name}` is a numpy array of text or objects; install pyarrow or pass an Arrow array",
                column=name,
                rule="column_type",
            ) from None
        return pa.array(arr, from_pandas=True)
    if kind in ("M", "m"):
        try:
            import pyarrow as pa
        except ImportError:  # pragma: no cover - pyarrow is a test dependency
            raise DtypeError(
                f"column `{name}` is a numpy datetime64 array; install pyarrow or pass an Arrow array",
                column=name,
                rule="column_type",
            ) from None
        return pa.array(arr)
    if kind is not None and not arr.flags["C_CONTIGUOUS"]:
        # A field of a structured array, or a slice: the buffer protocol needs
        # contiguous memory (one copy of this column).
        import numpy as np

        return np.ascontiguousarray(arr)
    return arr


def _all_present(wanted: Sequence[str], names: Any) -> bool:
    have = set(names)
    return bool(wanted) and all(c in have for c in wanted)


def prepare(data: object, columns: Sequence[str | None]) -> object:
    """The object to hand to the extension: a PyCapsule table or a mapping of arrays.

    Only the named columns that exist are kept, so that no unrelated column is
    converted (a pandas frame converts every column it exports).
    """
    wanted = [c for c in columns if c is not None]
    module = _module_of(data)
    if module == "pandas" and hasattr(data, "columns"):
        if _all_present(wanted, data.columns):  # type: ignore[attr-defined]
            data = data.loc[:, list(dict.fromkeys(wanted))]  # type: ignore[attr-defined]
        if not hasattr(data, "__arrow_c_stream__"):  # pandas < 2.2
            import pyarrow as pa

            return pa.Table.from_pandas(data, preserve_index=False)
        return data
    if module == "polars":
        if type(data).__name__ == "LazyFrame":
            if _all_present(wanted, data.collect_schema().names()):  # type: ignore[attr-defined]
                data = data.select(list(dict.fromkeys(wanted)))  # type: ignore[attr-defined]
            data = data.collect()  # type: ignore[attr-defined]
        elif hasattr(data, "columns") and hasattr(data, "select"):
            if _all_present(wanted, data.columns):  # type: ignore[attr-defined]
                data = data.select(list(dict.fromkeys(wanted)))  # type: ignore[attr-defined]
        return data
    if module == "pyarrow" and hasattr(data, "select") and hasattr(data, "column_names"):
        if _all_present(wanted, data.column_names):  # type: ignore[attr-defined]
            return data.select(list(dict.fromkeys(wanted)))  # type: ignore[attr-defined]
        return data
    if module == "numpy" and getattr(getattr(data, "dtype", None), "names", None):
        names = data.dtype.names  # type: ignore[attr-defined]
        keep = names if not _all_present(wanted, names) else [n for n in names if n in wanted]
        return {n: _numpy_to_arrow(n, data[n]) for n in keep}  # type: ignore[index]
    if module == "duckdb" and not hasattr(data, "__arrow_c_stream__") and hasattr(data, "arrow"):
        return data.arrow()  # type: ignore[attr-defined]
    if isinstance(data, Mapping):
        keep = list(data.keys()) if not _all_present(wanted, list(data.keys())) else wanted
        return {k: _numpy_to_arrow(str(k), data[k]) for k in dict.fromkeys(keep)}
    return data


def decimal_text(name: str, x: object) -> str:
    """A decimal parameter as text for the engine: floats by their shortest repr."""
    if isinstance(x, bool):
        raise ConfigError(f"{name} must be a number, got a boolean", rule="decimal_parameter")
    if isinstance(x, (int, Decimal, str)):
        return str(x)
    if isinstance(x, float):
        if x != x or x in (float("inf"), float("-inf")):
            raise ConfigError(f"{name} must be finite, got {x!r}", rule="decimal_parameter")
        return repr(x)
    raise ConfigError(f"{name} must be a number, got {type(x).__name__}", rule="decimal_parameter")

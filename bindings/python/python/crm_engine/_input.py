"""Preparing the caller's table for the engine, without copying row by row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from . import _crm_engine

__all__ = ["prepare", "decimal_text"]


def _module_of(obj: object) -> str:
    return type(obj).__module__.split(".", 1)[0]


def _pyarrow(name: str, what: str) -> Any:
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a test dependency
        raise _crm_engine.unreadable_column_error(
            "prepare", name, what, "an Arrow array (or pyarrow installed to read it)"
        ) from None
    return pa


def _to_arrow(name: str, pa: Any, values: Any, mask: Any = None) -> Any:
    """``pa.array`` without its message: pyarrow quotes the values it could not convert.

    Text and objects read ``NaN``/``None`` as nulls (as pandas means them); a
    numeric NaN stays a NaN, which the engine rejects as not finite.
    """
    text = values.dtype.kind in ("U", "S", "O", "T")
    try:
        return pa.array(values, mask=mask, from_pandas=text and mask is None)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        raise _crm_engine.unreadable_column_error(
            "prepare",
            name,
            f"values of mixed or unsupported types (dtype {values.dtype})",
            "values of one type",
        ) from None


_ARROW_TIME_UNITS = ("s", "ms", "us", "ns")
_FINER_THAN_NS = {"ps": 10**3, "fs": 10**6, "as": 10**9}


def _datetimes(name: str, arr: Any) -> Any:
    """A numpy datetime64 array of any unit in a unit Arrow has, exactly.

    Coarser units (Y, M, W, D multiples, h, m) widen to seconds exactly;
    units finer than nanoseconds are floored to nanoseconds (the day of an
    instant never changes).
    """
    import numpy as np

    unit, count = np.datetime_data(arr.dtype)
    if count == 1 and unit in _ARROW_TIME_UNITS + ("D",):
        return arr
    if unit in _FINER_THAN_NS:
        nat = np.isnat(arr)
        ns = np.floor_divide(arr.view("i8") * count, _FINER_THAN_NS[unit])
        out = ns.astype("datetime64[ns]")
        out[nat] = np.datetime64("NaT")
        return out
    return arr.astype("datetime64[s]")


def _numpy_to_arrow(name: str, arr: Any) -> Any:
    """A numpy column the extension reads as it is meant.

    Text / object, datetime, masked and non-native-byte-order arrays go
    through pyarrow (a masked array's mask becomes nulls; big-endian values
    are read as the numbers they are); contiguous native numeric arrays pass
    as they are (zero copy).
    """
    dtype = getattr(arr, "dtype", None)
    kind = getattr(dtype, "kind", None)
    if kind is None:
        return arr
    import numpy as np

    if kind == "m":
        raise _crm_engine.unreadable_column_error(
            "prepare",
            name,
            "a numpy timedelta64 array (a duration is neither a time nor a number)",
            "a time or a number: convert durations (e.g. to days) first",
        )
    masked = isinstance(arr, np.ma.MaskedArray)
    mask = np.ma.getmaskarray(arr) if masked else None
    values = np.ma.getdata(arr) if masked else arr
    if not values.dtype.isnative:
        values = values.astype(values.dtype.newbyteorder("="))
    if kind == "M":
        values = _datetimes(name, values)
    if kind in ("U", "S", "O", "T", "M") or masked:
        pa = _pyarrow(name, f"a numpy {values.dtype} array")
        return _to_arrow(name, pa, values, mask)
    if kind in ("i", "u", "f", "b"):
        try:
            import pyarrow
        except ImportError:  # pragma: no cover - pyarrow is a test dependency
            pass
        else:
            # Zero copy for a contiguous native array; every width numpy has.
            return _to_arrow(name, pyarrow, values)
    if not values.flags["C_CONTIGUOUS"]:
        # A field of a structured array, or a slice: the buffer protocol needs
        # contiguous memory (one copy of this column).
        return np.ascontiguousarray(values)
    return values


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
    if isinstance(x, (int, Decimal, str)) and not isinstance(x, bool):
        return str(x)
    if isinstance(x, float):
        # NaN and the infinities are refused by crm-core's decimal rule.
        return _crm_engine.decimal_parameter("", name, repr(x))
    raise _crm_engine.argument_error("", name, "number")

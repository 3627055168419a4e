"""Textual reads a callback's signature once per callback, not once per call.

Textual invokes every callback with as many arguments as it takes, and counts them by reading
its signature (`inspect.signature`), caching the count on the function. But `call_later`,
`call_next` and `call_after_refresh` wrap the callback in a new `functools.partial` each time,
and the count was cached on that throwaway partial: every call read the signature again. A key
on the question screen makes several such calls (the save after the frame, the type-ahead's
release, the screen's own callbacks), and the signatures were most of what they cost. Here a
partial of a plain function or method is counted from the function inside it, read once per
function and kept as long as the function lives; the count is the same as before.

It replaces a private function of Textual 8 (`textual._callback.count_parameters`); should it
ever be missing, Textual is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from inspect import signature
from types import FunctionType, MethodType
from weakref import WeakKeyDictionary

import textual._callback as _callback

_textuals: Callable[[Callable[..., object]], int] | None = getattr(
    _callback, "count_parameters", None)


# A function's own parameters, self included (Textual caches a method's count without it on
# the function itself, so a cache of our own keeps the two from meeting).
_counts: WeakKeyDictionary[FunctionType, int] = WeakKeyDictionary()


def _parameters(func: FunctionType) -> int:
    count = _counts.get(func)
    if count is None:
        count = _counts[func] = len(signature(func).parameters)
    return count


def count_parameters(func: Callable[..., object]) -> int:
    """Textual's count; a partial's inner function or method is counted once, not per call."""
    assert _textuals is not None
    if type(func) is partial and not hasattr(func, "_param_count"):   # else Textual reads it
        inner = func.func
        bound = 0
        if type(inner) is MethodType and type(inner.__func__) is FunctionType:
            inner, bound = inner.__func__, 1
        if type(inner) is FunctionType:
            return _parameters(inner) - bound - (len(func.args) + len(func.keywords))
    return _textuals(func)


def install() -> None:
    """Have Textual count through `count_parameters` (once; a no-op if Textual changed)."""
    if _textuals is not None and callable(getattr(_callback, "_invoke", None)):
        _callback.count_parameters = count_parameters  # type: ignore[assignment]

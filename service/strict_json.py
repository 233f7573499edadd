"""JSON values take their JSON type, as the OpenAPI document gives it: `true` is the
only true (not `1`, not `"true"`) and `"5"` is not a number. The one allowance is
JSON Schema's own: a float with no fractional part (5.0) is an integer."""

from typing import Any

import msgspec


def check(value: Any, kind: Any) -> None:
    """Raises msgspec.ValidationError unless `value` (decoded JSON) is a `kind` under
    those rules. A value that failed on a float is walked a second time; no other is."""
    try:
        msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError as error:
        if "got `float`" not in str(error):
            raise
        msgspec.convert(_integral_floats_as_ints(value), kind, strict=True)


def convert(value: Any, kind: Any) -> Any:
    """`value` as a `kind`, checked first. An integer field sent 5.0 gets 5, while
    free-form JSON (metadata) keeps the 5.0 it was sent."""
    check(value, kind)
    return msgspec.convert(value, kind, strict=False)


def _integral_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    return value

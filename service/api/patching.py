"""PATCH bodies: a key left out leaves its column alone, null clears it.

Body fields default to msgspec.UNSET. A nullable column's field also admits None,
which clears it; a NOT NULL column's field does not, so null there is a 400 that
names the field. The SQL takes NULL for "leave alone" plus the names to clear."""

from typing import Any

import msgspec


def split(body: msgspec.Struct) -> tuple[dict[str, Any], list[str]]:
    """(every field's value with None for the keys left out, the fields sent as null)."""
    values: dict[str, Any] = {}
    cleared: list[str] = []
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if value is None:
            cleared.append(name)
        values[name] = None if value is msgspec.UNSET else value
    return values, cleared

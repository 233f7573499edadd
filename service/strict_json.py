"""JSON values take their JSON type, as the OpenAPI document gives it: `true` is the
only true (not `1`, not `"true"`) and `"5"` is not a number. The one allowance is
JSON Schema's own: a float with no fractional part (5.0) is an integer."""

import functools
from typing import Any

import msgspec
import msgspec.inspect as mi

# Past 2**53 a float no longer stands for one integer.
_EXACT = 2**53


def check(value: Any, kind: Any) -> None:
    """Raises msgspec.ValidationError unless `value` (decoded JSON) is a `kind` under
    those rules. Only a value refused over a float is looked at again, and then only
    where `kind` wants an integer: free-form JSON (metadata) is not walked."""
    try:
        msgspec.convert(value, kind, strict=True)
    except msgspec.ValidationError as error:
        if not _about_a_float(error):
            raise
        _check_with_integral_floats(value, kind)


def decode(raw: bytes, decoder: msgspec.json.Decoder[Any]) -> Any:
    """`raw` by a typed decoder, under the same rules: the typed decoding alone unless
    it refused a float. An integer field sent 5.0 gets 5, while free-form JSON keeps
    the 5.0 it was sent."""
    try:
        return decoder.decode(raw)
    except msgspec.ValidationError as error:
        if not _about_a_float(error):
            raise
        value = msgspec.json.decode(raw)
        _check_with_integral_floats(value, decoder.type)
        return msgspec.convert(value, decoder.type, strict=False)


def _about_a_float(error: msgspec.ValidationError) -> bool:
    return "got `float`" in str(error)


def _check_with_integral_floats(value: Any, kind: Any) -> None:
    # Floats stay floats outside integer fields, so what this raises names the value
    # as it was sent.
    msgspec.convert(_integral_floats_as_ints(value, _info(kind)), kind, strict=True)


@functools.cache
def _info(kind: Any) -> mi.Type:
    return mi.type_info(kind)


def _integral_floats_as_ints(value: Any, info: mi.Type) -> Any:
    """`value` with each integral float that `info` puts in an integer field made an int."""
    while isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.UnionType):
        info = _branch(value, info)
    if isinstance(info, mi.IntType):
        if isinstance(value, float) and value.is_integer() and abs(value) <= _EXACT:
            return int(value)
        return value
    if isinstance(info, mi.StructType) and isinstance(value, dict):
        fields = {f.encode_name: f.type for f in info.fields}
        return {
            k: _integral_floats_as_ints(v, fields[k]) if k in fields else v
            for k, v in value.items()
        }
    if isinstance(info, mi.CollectionType) and isinstance(value, list):
        return [_integral_floats_as_ints(v, info.item_type) for v in value]
    if isinstance(info, mi.DictType) and isinstance(value, dict):
        return {k: _integral_floats_as_ints(v, info.value_type) for k, v in value.items()}
    return value


def _branch(value: Any, union: mi.UnionType) -> mi.Type:
    """The member of a union that `value` is meant for: an int, if a float could be one
    and no float is allowed; the struct whose tag it carries; else the first of its kind."""
    members = [t.type if isinstance(t, mi.Metadata) else t for t in union.types]
    if isinstance(value, float):
        if any(isinstance(t, mi.FloatType) for t in members):
            return union
        return next((t for t in members if isinstance(t, mi.IntType)), union)
    if isinstance(value, dict):
        structs = [t for t in members if isinstance(t, mi.StructType)]
        tagged = [t for t in structs if t.tag_field and value.get(t.tag_field) == t.tag]
        return next(iter(tagged or structs), union)
    if isinstance(value, list):
        return next((t for t in members if isinstance(t, mi.CollectionType)), union)
    return union

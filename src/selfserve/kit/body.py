"""Strict JSON bodies: size and nesting bounded, types checked, every error names its field."""

from __future__ import annotations

import re
from typing import TypeVar

import msgspec

from selfserve.errors import InvalidParameter, SelfserveError

T = TypeVar("T")
_AT = re.compile(r"- at `\$\.?(.*)`$")
_UNKNOWN = re.compile(r"(?:unknown|required) field `([^`]*)`")


class BodyTooDeep(SelfserveError):
    status_code = 400
    error_code = "BODY_TOO_DEEP"


def nesting_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects, ignoring brackets inside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def decode(body: bytes, type_: type[T], *, max_depth: int = 32) -> T:
    """``body`` decoded as ``type_``; a 400 naming the offending field otherwise."""
    if nesting_depth(body) > max_depth:
        raise BodyTooDeep(f"The JSON body nests deeper than {max_depth} levels.")
    try:
        return msgspec.json.decode(body or b"{}", type=type_)
    except msgspec.ValidationError as exc:
        text = str(exc)
        unknown = _UNKNOWN.search(text)
        at = _AT.search(text)
        path = at[1] if at else ""
        # A field missing from or unknown to a nested object is named with its path.
        field = ".".join(part for part in (path, unknown[1] if unknown else "") if part) or "body"
        raise InvalidParameter(field, f"Invalid body: {text}.") from None
    except msgspec.DecodeError:
        raise InvalidParameter("body", "The body must be valid JSON.") from None

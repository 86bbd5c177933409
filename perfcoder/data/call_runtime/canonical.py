"""One text per value, equal exactly when two outcomes of a function are the same: what the judge
compares. Runs inside the sandbox, in the tracer and the replay harness, so it imports nothing of
perfcoder. Dicts and sets are written in sorted order (their order is not part of ==), numpy arrays and
pandas frames by dtype, shape and contents, other objects by their type and attributes; memory addresses
are dropped from a repr."""

import re

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
FLAT = (type(None), bool, int, str, bytes)


def canonical(value, seen=None):
    """The value's text (the same for equal values of the same types)."""
    seen = set() if seen is None else seen
    if isinstance(value, FLAT):
        return repr(value)
    if isinstance(value, float):
        return "nan" if value != value else repr(value)
    if id(value) in seen:
        return "<cycle>"
    seen = seen | {id(value)}
    kind = type(value)
    name = kind.__qualname__
    module = getattr(kind, "__module__", "") or ""
    if module.startswith("numpy"):
        return _numpy(value, name, seen)
    if module.startswith("pandas"):
        return _pandas(value, name, seen)
    if isinstance(value, (list, tuple)):
        return name + "[" + ", ".join(canonical(item, seen) for item in value) + "]"
    if isinstance(value, dict):
        items = sorted((canonical(k, seen), canonical(v, seen)) for k, v in value.items())
        return name + "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, (set, frozenset)):
        return name + "{" + ", ".join(sorted(canonical(item, seen) for item in value)) + "}"
    attributes = _attributes(value)
    if attributes is not None:
        return name + "(" + canonical(attributes, seen) + ")"
    return ADDRESS.sub("", repr(value))


def _numpy(value, name, seen):
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        shape = getattr(value, "shape", ())
        return f"{name}<{value.dtype}>{tuple(shape)}" + canonical(value.tolist(), seen)
    return ADDRESS.sub("", repr(value))


def _pandas(value, name, seen):
    if hasattr(value, "to_dict") and hasattr(value, "dtypes"):
        dtypes = value.dtypes.astype(str).to_dict() if hasattr(value.dtypes, "to_dict") else str(value.dtypes)
        index = canonical(list(value.index), seen)
        return f"{name}<{dtypes}>{index}" + canonical(value.to_dict(), seen)
    return ADDRESS.sub("", repr(value))


def _attributes(value):
    """An object's state: its __dict__ and __slots__ (None for objects without either)."""
    state = dict(getattr(value, "__dict__", None) or {})
    for slot in getattr(type(value), "__slots__", ()):
        if isinstance(slot, str) and hasattr(value, slot):
            state[slot] = getattr(value, slot)
    if not state and not hasattr(value, "__dict__"):
        return None
    return state


def outcome(result, error, arguments):
    """A call's outcome: what it returned (or the type of what it raised), then its arguments after."""
    head = f"raised {type(error).__qualname__}" if error is not None else "returned " + canonical(result)
    args, kwargs = arguments
    return head + "\nargs after " + canonical(list(args)) + "\nkwargs after " + canonical(kwargs) + "\n"

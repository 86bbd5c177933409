"""Grows recorded calls into new ones, as differential testing grows stdin: runs inside the sandbox
(the arguments are unpickled here, never in perfcoder's own process). Reads {"calls": [base64 pickled
(args, kwargs)]} from argv[1], writes {"variants": [{"of", "how", "args"}]} to argv[2]: each call
scaled (numbers times s, sequences, strings and mappings s times longer), perturbed (numbers + 1,
sequences reversed), emptied (numbers 0, containers empty) and negated (numbers negative): the edges a
rewrite may drop (special cases, range checks) as well as the sizes where speed shows."""

import base64
import json
import pickle
import sys

SCALES = (2, 4, 8, 16, 32, 64)


def scaled(value, factor, top):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value * factor if top else value
    if isinstance(value, (str, bytes, list)):
        return value * factor
    if isinstance(value, tuple):
        return tuple(value) * factor
    if isinstance(value, dict):
        return _dict(value, factor)
    if isinstance(value, (set, frozenset)):
        return type(value)(_spread(list(value), factor))
    return value


def _dict(value, factor):
    keys = list(value)
    grown = dict(value)
    for key, new in zip(keys * (factor - 1), _spread(keys, factor)[len(keys) :], strict=False):
        grown[new] = value[key]
    return grown


def _spread(items, factor):
    """items and factor - 1 shifted copies (ints moved past the largest, strings suffixed)."""
    out = list(items)
    if all(isinstance(i, int) and not isinstance(i, bool) for i in items) and items:
        step = max(items) - min(items) + 1
        out += [i + step * n for n in range(1, factor) for i in items]
    elif all(isinstance(i, str) for i in items):
        out += [f"{i}~{n}" for n in range(1, factor) for i in items]
    return out


def perturbed(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, (str, bytes, list, tuple)):
        return value[::-1]
    return value


def emptied(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return type(value)(0)
    if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)):
        return type(value)()
    return value


def negated(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return -value
    return value


EDGES = (("perturbed", perturbed), ("emptied", emptied), ("negated", negated))


def variants(args, kwargs):
    for factor in SCALES:
        yield (
            f"x{factor}",
            (
                tuple(scaled(a, factor, True) for a in args),
                {k: scaled(v, factor, True) for k, v in kwargs.items()},
            ),
        )
    for how, change in EDGES:
        yield how, (tuple(change(a) for a in args), {k: change(v) for k, v in kwargs.items()})


def main(source, target):
    with open(source) as handle:
        calls = json.load(handle)["calls"]
    rows = []
    for index, encoded in enumerate(calls):
        args, kwargs = pickle.loads(base64.b64decode(encoded))
        for how, variant in variants(args, kwargs):
            try:
                data = pickle.dumps(variant, protocol=4)
            except Exception:
                continue
            rows.append({"of": index, "how": how, "args": base64.b64encode(data).decode()})
    with open(target, "w") as sink:
        json.dump({"variants": rows}, sink)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

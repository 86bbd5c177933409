"""The call tracer: started by Python itself in every process of the traced command (this directory is
on PYTHONPATH inside the sandbox). When the target module is loaded, its function is wrapped; each
outermost call is recorded as its pickled arguments and the canonical text of its outcome. At exit each
process writes its calls (the smallest distinct ones) to a JSON file of its own."""

import atexit
import base64
import functools
import importlib.machinery
import importlib.util
import json
import os
import pickle

TARGET = os.environ.get("PERFCODER_TRACE_TARGET", "")
NAME = os.environ.get("PERFCODER_TRACE_NAME", "")
OUT = os.environ.get("PERFCODER_TRACE_OUT", "")
KEEP = int(os.environ.get("PERFCODER_TRACE_KEEP", "0") or 0)
MAX_BYTES = 1 << 20  # arguments pickled larger than this are counted, not kept

_spec = importlib.util.spec_from_file_location(
    "_perfcoder_canonical", os.path.join(os.path.dirname(__file__), "canonical.py")
)
_canonical = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_canonical)


class Calls:
    def __init__(self):
        self.seen = 0
        self.unpicklable = 0
        self.too_large = 0
        self.kept = {}  # pickled arguments -> outcome
        self.depth = 0

    def keep(self, arguments, outcome):
        self.kept.setdefault(arguments, outcome)
        if len(self.kept) > 4 * KEEP:
            smallest = sorted(self.kept, key=lambda a: (len(a), a))[:KEEP]
            self.kept = {a: self.kept[a] for a in smallest}

    def save(self):
        smallest = sorted(self.kept, key=lambda a: (len(a), a))[:KEEP]
        rows = [{"args": base64.b64encode(a).decode(), "outcome": self.kept[a]} for a in smallest]
        report = {"seen": self.seen, "unpicklable": self.unpicklable, "too_large": self.too_large}
        with open(os.path.join(OUT, f"calls-{os.getpid()}.json"), "w") as sink:
            json.dump({**report, "calls": rows}, sink)


CALLS = Calls()


def traced(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if CALLS.depth:  # a recursive or nested call is part of the outer one
            return function(*args, **kwargs)
        CALLS.depth += 1
        try:
            return _record(function, args, kwargs)
        finally:
            CALLS.depth -= 1

    return wrapper


def _record(function, args, kwargs):
    CALLS.seen += 1
    try:
        before = pickle.dumps((args, kwargs), protocol=4)
    except Exception:
        CALLS.unpicklable += 1
        before = None
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        if before is not None:
            _keep(before, _canonical.outcome(None, error, (args, kwargs)))
        raise
    if before is not None:
        _keep(before, _canonical.outcome(result, None, (args, kwargs)))
    return result


def _keep(before, outcome):
    if len(before) > MAX_BYTES:
        CALLS.too_large += 1
    else:
        CALLS.keep(before, outcome)


def _wrap(module):
    owner = module
    *path, name = NAME.split(".")
    for part in path:
        owner = getattr(owner, part)
    setattr(owner, name, traced(getattr(owner, name)))


def _install():
    loader = importlib.machinery.SourceFileLoader
    plain = loader.exec_module

    def exec_module(self, module):
        plain(self, module)
        if os.path.realpath(getattr(module, "__file__", "") or "") == TARGET:
            _wrap(module)

    loader.exec_module = exec_module
    atexit.register(CALLS.save)


if TARGET and NAME and OUT:
    _install()

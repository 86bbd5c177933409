"""A function inside a Python project as an optimization task.

The function is judged and measured as a program: a replay harness made of the function's own module
(with the candidate function spliced in) followed by a small epilogue that reads one call from stdin
(pickled arguments), makes it, and prints its outcome's canonical text (perfcoder/data/call_runtime).
So every recorded or generated call is a test case, and the verification funnel, the cost models and
the search work on functions unchanged. The harness runs in the sandbox with the project shown
read-only at PROJECT_INSIDE; the module is loaded under its own dotted name, its package imported
first, so relative imports and pickled instances of its classes resolve."""

from __future__ import annotations

import ast
import copy
import difflib
import hashlib
import sysconfig
import textwrap
from dataclasses import dataclass
from pathlib import Path

from perfcoder.errors import PerfcoderError
from perfcoder.execution.sandbox import PROJECT_INSIDE

RUNTIME = Path(__file__).with_name("call_runtime")  # the programs that run inside the sandbox


def site_paths() -> list[str]:
    """This environment's package directories (a venv's): the project's dependencies, importable by the
    sandbox's Python after its own."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


SKIPPED_DIRS = {"__pycache__", "node_modules", "venv", "build", "dist", "site"}


@dataclass(frozen=True)
class FunctionTarget:
    """`path/to/module.py::function` (or `::Class.method`) inside a project directory."""

    project: Path
    path: str  # the module file, relative to the project, with / separators
    qualname: str
    warm_up: bytes = b""  # pickled arguments of the call every replay makes first, unmeasured

    @classmethod
    def parse(cls, spec: str, project: str | Path | None = None) -> FunctionTarget:
        """From `module.py::name`; the module path is taken relative to the project (default: the current
        directory), or as given when it lies inside the project."""
        if "::" not in spec:
            raise PerfcoderError(f"a function is named as path/to/module.py::function, got {spec!r}")
        path_text, qualname = spec.split("::", 1)
        root = Path(project or Path.cwd()).resolve()
        given = Path(path_text)
        candidates = [given.resolve(), (root / given).resolve()] if not given.is_absolute() else [given]
        module = next((p for p in candidates if p.is_file() and p.is_relative_to(root)), None)
        if module is None or module.suffix != ".py":
            raise PerfcoderError(f"no Python module {path_text!r} inside the project {root}")
        target = cls(root, module.relative_to(root).as_posix(), qualname)
        target.node(target.source())  # fails here when the module has no such function
        return target

    @property
    def file(self) -> Path:
        return self.project / self.path

    @property
    def name(self) -> str:
        return f"{self.path}::{self.qualname}"

    @property
    def import_root(self) -> str:
        """The directory on sys.path inside the sandbox (a `src/` layout puts packages under src)."""
        return f"{PROJECT_INSIDE}/src" if self.path.startswith("src/") else PROJECT_INSIDE

    @property
    def module_name(self) -> str:
        parts = self.path.removeprefix("src/").removesuffix(".py").split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        return ".".join(parts)

    @property
    def package(self) -> str:
        return self.module_name.rpartition(".")[0]

    def source(self) -> str:
        return self.file.read_text()

    def node(self, module_source: str) -> ast.FunctionDef | ast.AsyncFunctionDef:
        """The function's definition in a module's source."""
        found = find_function(ast.parse(module_source), self.qualname)
        if found is None:
            raise PerfcoderError(f"{self.path} defines no function {self.qualname!r}")
        return found

    def function_source(self, module_source: str) -> str:
        """The function's text, decorators included, dedented."""
        lines = module_source.splitlines(keepends=True)
        first, last = span(self.node(module_source))
        return textwrap.dedent("".join(lines[first - 1 : last]))

    def harness(self, module_source: str) -> str:
        """The program that replays one call (from stdin) of this module's function."""
        tree = ast.parse(module_source)
        at = max((s.end_lineno or 0 for s in tree.body if _is_future(s)), default=0)
        lines = module_source.splitlines(keepends=True)
        return "".join(lines[:at]) + self._prologue() + "".join(lines[at:]) + self._epilogue()

    @staticmethod
    def without_call(program: str) -> str:
        """A replay harness that loads its call but does not make it: its cost is the harness's own."""
        return program.replace("\n_perfcoder_replay(True)\n", "\n_perfcoder_replay(False)\n")

    def _new_imports(self, reply: ast.Module, module: ast.Module, reply_code: str) -> str:
        """The reply's top-level imports that the module lacks (not of the module itself), as lines."""
        have = {ast.dump(s) for s in module.body if isinstance(s, ast.Import | ast.ImportFrom)}
        found = [
            ast.get_source_segment(reply_code, s) or ""
            for s in reply.body
            if isinstance(s, ast.Import | ast.ImportFrom)
            and ast.dump(s) not in have
            and not _is_future(s)
            and self.module_name not in _imported(s)
        ]
        return "".join(f"{line}\n" for line in found if line)

    def _prologue(self) -> str:
        """One line: sys.path, the package imported first, and the module named as itself."""
        steps = [
            "import sys as _perfcoder_sys",
            f"_perfcoder_sys.path[:0] = [{self.import_root!r}]",
            f"_perfcoder_sys.path += {site_paths()!r}",
        ]
        if self.package:
            steps.append(f"__import__({self.package!r})")
        steps += [
            f"__name__, __package__ = {self.module_name!r}, {self.package!r}",
            f"__file__ = {f'{PROJECT_INSIDE}/{self.path}'!r}",
            "_perfcoder_sys.modules[__name__] = _perfcoder_sys.modules['__main__']",
        ]
        return "; ".join(steps) + "\n"

    def _epilogue(self) -> str:
        canonical = textwrap.indent((RUNTIME / "canonical.py").read_text(), "    ")
        replay = (RUNTIME / "replay.py.in").read_text().replace("    # CANONICAL\n", canonical)
        return (
            f"\n\n{replay}\n\n_PERFCODER_TARGET = {self.qualname!r}\n_PERFCODER_WARM_UP = {self.warm_up!r}\n"
            "_perfcoder_replay(True)\n"
            f"# project {fingerprint(self.project)}\n"
        )

    def patch(self, module_source: str, reply_code: str) -> str:
        """The module with the function replaced by the one in `reply_code` (imports the reply adds
        go just before it); raises PerfcoderError when the reply has no such function or changes its
        signature."""
        try:
            reply = ast.parse(reply_code)
        except (SyntaxError, ValueError) as error:
            raise PerfcoderError(f"the reply does not parse: {error}") from None
        new = find_function(reply, self.qualname) or find_function(reply, self.qualname.rpartition(".")[2])
        if new is None:
            raise PerfcoderError(f"the reply defines no function {self.qualname!r}")
        old = self.node(module_source)
        if signature(new) != signature(old) or type(new) is not type(old):
            raise PerfcoderError(f"the reply changes the signature of {self.qualname}")
        lines = module_source.splitlines(keepends=True)
        first, last = span(old)
        indent = lines[first - 1][: len(lines[first - 1]) - len(lines[first - 1].lstrip())]
        reply_lines = reply_code.splitlines(keepends=True)
        new_first, new_last = span(new)
        body = textwrap.indent(textwrap.dedent("".join(reply_lines[new_first - 1 : new_last])), indent)
        tree = ast.parse(module_source)
        imports = self._new_imports(reply, tree, reply_code)
        at = _imports_end(tree, _top_level_start(tree, first))
        patched = "".join(lines[:at]) + imports + "".join(lines[at : first - 1])
        patched += body if body.endswith("\n") else body + "\n"
        patched += "".join(lines[last:])
        ast.parse(patched)
        return patched


def find_function(tree: ast.Module, qualname: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """A top-level function, or a method of a top-level class (`Class.method`)."""
    *owners, name = qualname.split(".")
    body: list[ast.stmt] = tree.body
    for owner in owners:
        found = next((s for s in body if isinstance(s, ast.ClassDef) and s.name == owner), None)
        if found is None:
            return None
        body = found.body
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    return next((s for s in body if isinstance(s, functions) and s.name == name), None)


def signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """Parameter names, kinds and defaults (annotations left out: they change no call)."""
    args = copy.deepcopy(node.args)
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            arg.annotation = None
    return ast.dump(args)


def span(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[int, int]:
    """First (decorators included) and last line of a definition, 1-based."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return first, node.end_lineno or node.lineno


def fingerprint(project: Path) -> str:
    """A digest of the project's Python files: stored results of its harnesses change with them."""
    digest = hashlib.sha256()
    for path in sorted(project.rglob("*.py")):
        relative = path.relative_to(project)
        if any(part.startswith(".") or part in SKIPPED_DIRS for part in relative.parts[:-1]):
            continue
        digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def unified_diff(target: FunctionTarget, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{target.path}",
            f"b/{target.path}",
        )
    )


def _imported(statement: ast.Import | ast.ImportFrom) -> set[str]:
    """The dotted names an import statement may bind (`from a import b` may be module a.b)."""
    if isinstance(statement, ast.Import):
        return {alias.name for alias in statement.names}
    base = statement.module or ""
    return {base, *(f"{base}.{alias.name}" for alias in statement.names)}


def _is_future(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return True  # the docstring, which may precede `from __future__`
    return isinstance(statement, ast.ImportFrom) and statement.module == "__future__"


def _imports_end(module: ast.Module, before: int) -> int:
    """The line after the module's last top-level import (or docstring) above line `before`: where a
    rewrite's new imports go."""
    heads = [
        s.end_lineno or s.lineno
        for s in module.body
        if (isinstance(s, ast.Import | ast.ImportFrom) or _is_future(s)) and s.lineno < before
    ]
    return max(heads, default=0)


def _top_level_start(module: ast.Module, line: int) -> int:
    """The first line of the top-level statement holding `line` (a function, or a method's class)."""
    for statement in module.body:
        decorators: list[ast.expr] = getattr(statement, "decorator_list", [])
        first = min([statement.lineno, *(d.lineno for d in decorators)])
        if first <= line <= (statement.end_lineno or statement.lineno):
            return first
    return line

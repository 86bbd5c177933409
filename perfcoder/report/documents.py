"""Report documents: an evaluation becomes a neutral Report (tables, charts, notes), rendered as
Markdown and as one self-contained HTML page, and written with the run's config and raw results."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import yaml

from perfcoder.evaluation.code_samples import CodegenEvaluation
from perfcoder.evaluation.optimization import BaselineComparison, PairEvaluation
from perfcoder.metrics.speedup import EVEN, OPT_THRESHOLDS, SpeedupMetrics
from perfcoder.report.charts import bar_chart, line_chart


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Report:
    title: str
    tables: list[Table] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)  # inline SVG; HTML only
    notes: list[str] = field(default_factory=list)


def pairs_report(evaluation: PairEvaluation, baseline: BaselineComparison | None = None) -> Report:
    report = Report(f"Optimization evaluation ({evaluation.cost_model} cost, k={evaluation.k or 'all'})")
    checked = ", differential" if evaluation.differential else ""  # also agreeing with the slow one
    rows = [(f"model{checked}", evaluation.model)] if evaluation.model else []
    rows.append((f"human reference{checked}", evaluation.human))
    report.tables.append(_metrics_table(rows))
    labels = [f">={t:g}" for t in OPT_THRESHOLDS]
    curves = {name: [m.pct_opt_at[t] for t in OPT_THRESHOLDS] for name, m in rows}
    report.tables.append(
        Table(["%OPT at", *labels], [[n, *(f"{v:.1f}" for v in c)] for n, c in curves.items()])
    )
    best = [r.best_speedup or 1.0 for r in evaluation.records] if evaluation.model else []
    best = best or [r.reference.speedup or 1.0 if r.reference else 1.0 for r in evaluation.records]
    report.charts.append(bar_chart(*_histogram([max(1.0, b) for b in best]), "Best@k speedup per pair"))
    report.charts.append(line_chart(labels, curves, "%OPT vs speedup threshold", 100.0))
    search = evaluation.mean_curve()
    if search:  # the predictions came from searches that kept their curves
        steps = [str(n) for n in range(1, len(search) + 1)]
        top = max(search) * 1.1
        report.charts.append(
            line_chart(steps, {"mean best speedup": search}, "Search curve: samples spent", top)
        )
    if baseline is not None:
        report.tables += _baseline_tables(baseline)
    report.notes += _notes(evaluation.skipped, evaluation.warnings, evaluation.wall_s)
    return report


def _baseline_tables(baseline: BaselineComparison) -> list[Table]:
    """The two prediction sets on their common pairs, then where they differ, with exact p-values."""
    rows = [("model", baseline.model), (f"baseline {baseline.predictions}", baseline.baseline)]
    c = baseline.paired
    headers = [
        "pairs", ">=1.1x: model only", "baseline only", "p (McNemar exact)",
        "faster: model", "baseline", f"within {EVEN:.0%}", "p (sign test)",
    ]  # fmt: skip
    cells = [c.pairs, c.opt_only_a, c.opt_only_b, f"{c.opt_p:.3g}", c.faster_a, c.faster_b, c.even]
    return [_metrics_table(rows), Table(headers, [[*map(str, cells), f"{c.faster_p:.3g}"]])]


def codegen_report(evaluation: CodegenEvaluation) -> Report:
    report = Report(f"Code generation evaluation ({evaluation.scored})")
    summary = evaluation.summary()
    keys = [key for key in summary if key.startswith("pass@")]
    cells = [str(summary["n"]), str(summary["samples"]), *(f"{100 * summary[k]:.1f}" for k in keys)]
    report.tables.append(Table(["tasks", "samples", *(f"{k} %" for k in keys)], [cells]))
    failed = [
        [r.task_id, f"{r.correct}/{r.n}", ", ".join(sorted(set(r.verdicts)))] for r in evaluation.records
    ]
    failed = [row for row, r in zip(failed, evaluation.records, strict=True) if r.correct < r.n]
    if failed:
        report.tables.append(Table(["task", "correct", "verdicts"], failed))
    report.notes += _notes(evaluation.skipped, evaluation.warnings, evaluation.wall_s)
    return report


def markdown(report: Report) -> str:
    lines = [f"# {report.title}", ""]
    for table in report.tables:
        lines += ["| " + " | ".join(table.headers) + " |", "|" + "---|" * len(table.headers)]
        lines += ["| " + " | ".join(row) + " |" for row in table.rows]
        lines.append("")
    lines += [f"- {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def html(report: Report) -> str:
    parts = [f"<h1>{escape(report.title)}</h1>"]
    for table in report.tables:
        head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
        body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.rows)
        parts.append(f"<table><tr>{head}</tr>{body}</table>")
    parts += [f"<figure>{chart}</figure>" for chart in report.charts]
    if report.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(note)}</li>" for note in report.notes) + "</ul>")
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(report.title)}</title>"
        f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def write_report(
    directory: Path,
    report: Report,
    config: Mapping[str, Any],
    summary: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
) -> None:
    """The run's directory: config.yaml, summary.json, results.jsonl, report.md, report.html."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.yaml").write_text(yaml.safe_dump(dict(config), sort_keys=False))
    (directory / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    (directory / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (directory / "report.md").write_text(markdown(report))
    (directory / "report.html").write_text(html(report))


def _metrics_table(rows: Sequence[tuple[str, SpeedupMetrics]]) -> Table:
    headers = ["", "n", "%OPT", "SPEEDUP", "%Correct", "RTR", "compile %", "pass %", "optimized %"]
    cells = [
        [name, str(m.n), f"{m.pct_opt:.1f}", f"{m.speedup:.3f}"]
        + [f"{v:.1f}" for v in (m.pct_correct, m.rtr, m.compile_rate, m.pass_rate, m.optimized_rate)]
        for name, m in rows
    ]
    return Table(headers, cells)


def _histogram(speedups: Sequence[float]) -> tuple[list[str], list[float]]:
    bins = list(itertools.pairwise([1.0, *OPT_THRESHOLDS, float("inf")]))
    labels = [f"{low:g}-{high:g}" if high != float("inf") else f">={low:g}" for low, high in bins]
    counts = [float(sum(low <= s < high for s in speedups)) for low, high in bins]
    return labels, counts


def _notes(skipped: Sequence[object], warnings: Sequence[str], wall_s: float) -> list[str]:
    notes = [f"wall time {wall_s:.1f} s", f"{len(skipped)} rows skipped"]
    return notes + [str(row) for row in skipped] + list(warnings)

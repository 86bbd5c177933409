"""Two small charts as inline SVG (no scripts, no downloads): a bar chart and a line chart over the
same labelled x positions, so a report page stays one self-contained file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

WIDTH, HEIGHT, MARGIN = 560, 260, 40
COLORS = ("#3b6fb6", "#d9822b", "#3a9a5b")


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str) -> str:
    top = max([*values, 1.0])
    step = (WIDTH - 2 * MARGIN) / max(1, len(labels))
    parts = [_frame(title, top)]
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = (HEIGHT - 2 * MARGIN) * value / top
        x, y = MARGIN + n * step, HEIGHT - MARGIN - height
        parts.append(
            f'<rect x="{x + 4:.1f}" y="{y:.1f}" width="{step - 8:.1f}" height="{height:.1f}" '
            f'fill="{COLORS[0]}"><title>{escape(label)}: {value:g}</title></rect>'
        )
        parts.append(f'<text x="{x + step / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{value:g}</text>')
        parts.append(_x_label(x + step / 2, label))
    return _svg(parts)


def line_chart(labels: Sequence[str], series: Mapping[str, Sequence[float]], title: str, top: float) -> str:
    step = (WIDTH - 2 * MARGIN) / max(1, len(labels) - 1)
    parts = [_frame(title, top)]
    for n, label in enumerate(labels):
        parts.append(_x_label(MARGIN + n * step, label))
    for color, (name, values) in zip(COLORS, series.items(), strict=False):
        points = " ".join(
            f"{MARGIN + n * step:.1f},{HEIGHT - MARGIN - (HEIGHT - 2 * MARGIN) * v / top:.1f}"
            for n, v in enumerate(values)
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        index = list(series).index(name)
        parts.append(
            f'<text x="{WIDTH - MARGIN}" y="{MARGIN + 14 * index}" text-anchor="end" fill="{color}">'
            f"{escape(name)}</text>"
        )
    return _svg(parts)


def _frame(title: str, top: float) -> str:
    bottom = HEIGHT - MARGIN
    return (
        f'<text x="{MARGIN}" y="{MARGIN / 2}" font-weight="bold">{escape(title)}</text>'
        f'<line x1="{MARGIN}" y1="{bottom}" x2="{WIDTH - MARGIN}" y2="{bottom}" stroke="#444"/>'
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{bottom}" stroke="#444"/>'
        f'<text x="{MARGIN - 4}" y="{MARGIN + 4}" text-anchor="end">{top:g}</text>'
        f'<text x="{MARGIN - 4}" y="{bottom}" text-anchor="end">0</text>'
    )


def _x_label(x: float, label: str) -> str:
    return f'<text x="{x:.1f}" y="{HEIGHT - MARGIN + 16}" text-anchor="middle">{escape(label)}</text>'


def _svg(parts: list[str]) -> str:
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="sans-serif" font-size="11">{body}</svg>'
    )

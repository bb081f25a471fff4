"""A small SVG chart builder for the report (no JavaScript, no external files).

Every chart is drawn from the same numbers as the table printed beside it; the SVG has a
title and a description so a screen reader announces what it shows."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

NHS_BLUE = "#005eb8"
TEXT = "#212b32"
GRID = "#d8dde0"
FONT = "Arial, Helvetica, sans-serif"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{FONT}" font-size="13">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _describe(labels: Sequence[str], values: Sequence[float]) -> str:
    return "; ".join(f"{label}: {_number(value)}" for label, value in zip(labels, values, strict=True)) + "."


def bar_chart(*, chart_id: str, title: str, labels: Sequence[str], values: Sequence[float], width: int = 640) -> str:
    """Horizontal bars, one per category, each labelled above its bar with its value at the end."""
    row = 38
    top = 8
    height = top + row * len(labels) + 8
    bar_space = width - 70
    biggest = max([float(v) for v in values] + [0.0])
    parts = _open(chart_id, width, height, title, _describe(labels, values))
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + index * row
        length = 0.0 if biggest == 0 else bar_space * float(value) / biggest
        parts.append(f'<text x="0" y="{y + 12}" fill="{TEXT}">{escape(label)}</text>')
        parts.append(f'<rect x="0" y="{y + 17}" width="{bar_space}" height="14" fill="{GRID}"/>')
        if length > 0:
            parts.append(f'<rect x="0" y="{y + 17}" width="{length:.1f}" height="14" fill="{NHS_BLUE}"/>')
        parts.append(
            f'<text x="{bar_space + 8}" y="{y + 29}" fill="{TEXT}" font-weight="bold">{_number(float(value))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(*, chart_id: str, title: str, labels: Sequence[str], values: Sequence[float], width: int = 480) -> str:
    """Vertical bars over time (oldest quarter on the left), value above each bar."""
    height = 220
    bottom = 180
    top = 24
    biggest = max([float(v) for v in values] + [0.0])
    slot = width / max(len(labels), 1)
    bar_width = slot * 0.55
    parts = _open(chart_id, width, height, title, _describe(labels, values))
    parts.append(f'<line x1="0" y1="{bottom}" x2="{width}" y2="{bottom}" stroke="{TEXT}" stroke-width="1"/>')
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = index * slot + (slot - bar_width) / 2
        bar_height = 0.0 if biggest == 0 else (bottom - top) * float(value) / biggest
        if bar_height > 0:
            parts.append(
                f'<rect x="{x:.1f}" y="{bottom - bar_height:.1f}" width="{bar_width:.1f}" '
                f'height="{bar_height:.1f}" fill="{NHS_BLUE}"/>'
            )
        centre = x + bar_width / 2
        parts.append(
            f'<text x="{centre:.1f}" y="{bottom - bar_height - 6:.1f}" text-anchor="middle" fill="{TEXT}" '
            f'font-weight="bold">{_number(float(value))}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{bottom + 20}" text-anchor="middle" fill="{TEXT}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

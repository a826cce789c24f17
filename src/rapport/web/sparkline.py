"""A small bar sparkline of daily counts, drawn as inline SVG from numbers only (no text
of anyone's reaches it, so it needs no escaping beyond what numbers are)."""

from __future__ import annotations

from collections.abc import Sequence

from nicegui import ui

WIDTH = 120
HEIGHT = 24
_BAR = "#93b4f5"
_NEGATIVE = "#e11d48"


def sparkline_svg(totals: Sequence[int], negatives: Sequence[int]) -> str:
    """Bars of ``totals`` (scaled to the largest), each with its ``negatives`` part in red."""
    count = len(totals)
    top = max(totals, default=0)
    if not count:
        return ""
    step = WIDTH / count
    bar = max(1.0, step * 0.8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-hidden="true">',
        f'<line x1="0" y1="{HEIGHT - 0.5}" x2="{WIDTH}" y2="{HEIGHT - 0.5}" stroke="#e3e8ef"/>',
    ]
    for i, (total, negative) in enumerate(zip(totals, negatives, strict=True)):
        if top <= 0 or total <= 0:
            continue
        height = max(1.5, int(total) / top * (HEIGHT - 2))
        red = int(negative) / top * (HEIGHT - 2)
        x = i * step
        parts.append(
            f'<rect x="{x:.2f}" y="{HEIGHT - height:.2f}" width="{bar:.2f}" '
            f'height="{height:.2f}" fill="{_BAR}"/>'
        )
        if red > 0:
            parts.append(
                f'<rect x="{x:.2f}" y="{HEIGHT - red:.2f}" width="{bar:.2f}" '
                f'height="{red:.2f}" fill="{_NEGATIVE}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def day_sparkline(
    totals: Sequence[int], negatives: Sequence[int], *, testid: str = "sparkline"
) -> ui.html:
    """The sparkline as an element (``data-total`` / ``data-days`` carry its figures)."""
    spark = ui.html(sparkline_svg(totals, negatives), sanitize=False).classes("flex-none")
    figures = ",".join(str(int(n)) for n in totals)
    return spark.props(f'data-testid="{testid}" data-days="{figures}"')

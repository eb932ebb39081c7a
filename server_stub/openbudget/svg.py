"""Charts drawn on the server as inline SVG (no JavaScript): horizontal bars, grouped plan/execution bars.

Each chart carries <title>/<desc> and role="img"; the page shows the same numbers in a table.
"""

from __future__ import annotations

from django.utils.html import escape

PALETTE = ["#004a99", "#8a1c00", "#0d5c2e", "#6b3fa0", "#7a5a00", "#00607a"]


def _money(v: float) -> str:
    return f"{v:,.0f}".replace(",", " ")


def _short(label: str, n: int = 32) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def bars(title: str, rows: list[tuple[str, float]], unit: str = "", width: int = 720) -> str:
    """One bar per row, label on the left, value on the right."""
    row_h, label_w, value_w = 28, 300, 150
    h = max(1, len(rows)) * row_h + 10
    top = max([v for _, v in rows] + [1])
    out = [f'<svg class="chart" role="img" aria-labelledby="t-{id(rows)}" viewBox="0 0 {width} {h}" '
           f'width="{width}" height="{h}" xmlns="http://www.w3.org/2000/svg"><title id="t-{id(rows)}">'
           f'{escape(title)}</title>']
    span = width - label_w - value_w
    for i, (label, value) in enumerate(rows):
        y = 5 + i * row_h
        w = max(1.0, span * value / top)
        out.append(f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="14" fill="#1a1a1a">'
                   f'{escape(_short(label))}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                   f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" font-size="14" fill="#1a1a1a">'
                   f'{_money(value)}{escape(unit)}</text>')
    out.append("</svg>")
    return "".join(out)


def grouped(title: str, groups: list[tuple[str, float, float]], names: tuple[str, str], width: int = 720) -> str:
    """Two bars per group (e.g. plan and execution per year), with a legend."""
    group_h, label_w, value_w = 44, 120, 150
    h = 30 + max(1, len(groups)) * group_h
    top = max([max(a, b) for _, a, b in groups] + [1])
    span = width - label_w - value_w
    out = [f'<svg class="chart" role="img" aria-labelledby="g-{id(groups)}" viewBox="0 0 {width} {h}" '
           f'width="{width}" height="{h}" xmlns="http://www.w3.org/2000/svg"><title id="g-{id(groups)}">'
           f'{escape(title)}</title>',
           f'<rect x="{label_w}" y="6" width="14" height="14" fill="{PALETTE[0]}"/>'
           f'<text x="{label_w + 20}" y="18" font-size="14" fill="#1a1a1a">{escape(names[0])}</text>'
           f'<rect x="{label_w + 200}" y="6" width="14" height="14" fill="{PALETTE[2]}"/>'
           f'<text x="{label_w + 220}" y="18" font-size="14" fill="#1a1a1a">{escape(names[1])}</text>']
    for i, (label, a, b) in enumerate(groups):
        y = 30 + i * group_h
        out.append(f'<text x="{label_w - 8}" y="{y + 24}" text-anchor="end" font-size="14" fill="#1a1a1a">'
                   f'{escape(label)}</text>')
        for j, (v, color) in enumerate(((a, PALETTE[0]), (b, PALETTE[2]))):
            w = max(1.0, span * v / top)
            yy = y + 2 + j * 19
            out.append(f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="16" fill="{color}"/>'
                       f'<text x="{label_w + w + 6:.1f}" y="{yy + 13}" font-size="13" fill="#1a1a1a">'
                       f'{_money(v)}</text>')
    out.append("</svg>")
    return "".join(out)

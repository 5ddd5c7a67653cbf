"""Server-side SVG charts (bars, lines, a scatter map): inline markup, offline, no JavaScript.

The one chart module of the project: analytics pages and reports, and the workforce
overview, draw through it. The same markup goes into web pages and WeasyPrint PDFs.
Every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ["#0b5cab", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
# "Noto Sans SC" first: the face report PDFs embed from the package (analytics.reports.render).
FONT = 'font-family="Noto Sans SC, Noto Sans CJK SC, sans-serif"'


def _nice_max(value: float) -> float:
    """The axis maximum: the next 1, 2, 2.5, 5 × 10ⁿ at or above ``value``."""
    if value <= 0:
        return 1.0
    exp = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _svg_open(width: int, height: int, font_size: int, *, fluid: bool = False, style: str = "") -> str:
    size = 'width="100%"' if fluid else f'width="{width}" height="{height}"'
    extra = f' style="{style}"' if style else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" {size} '
        f'role="img" {FONT} font-size="{font_size}"{extra}>'
    )


def bar_chart(
    items: list[tuple[str, float]],
    *,
    width: int = 640,
    bar_height: int = 20,
    color: str = PALETTE[0],
    value_format: str = "{:g}",
    title: str = "",
) -> str:
    """Horizontal bars, one per (label, value), largest scale at the right edge."""
    if not items:
        return ""
    label_w = min(260, max(60, max(len(lbl) for lbl, _ in items) * 12 + 8))
    top = 24 if title else 6
    height = top + len(items) * (bar_height + 6) + 6
    vmax = _nice_max(max(v for _, v in items))
    plot_w = width - label_w - 70
    out = [_svg_open(width, height, 12)]
    if title:
        out.append(f'<text x="4" y="16" font-weight="bold">{escape(title)}</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + 6)
        w = max(1.0, plot_w * value / vmax) if value > 0 else 0
        out.append(
            f'<text x="{label_w - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{color}"/>')
        out.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_height * 0.7:.1f}">'
            f"{escape(value_format.format(value))}</text>"
        )
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Line:
    """One series of a line chart; ``None`` values leave a gap (no data yet)."""

    name: str
    values: Sequence[float | None]
    color: str | None = None
    dashed: bool = False


def line_chart(
    labels: Sequence[str],
    series: Sequence[Line | tuple[str, Sequence[float | None]]],
    *,
    width: int = 640,
    height: int = 220,
    legend: bool = True,
    fluid: bool = False,
) -> str:
    """Lines over shared x labels (days, months, intervals), with a y grid and a legend.

    ``series``: :class:`Line` objects or ``(name, values)`` pairs (palette colours).
    ``legend=False`` when the page draws its own (translated) legend; ``fluid`` makes the
    chart as wide as its container instead of ``width`` pixels.
    """
    lines = [s if isinstance(s, Line) else Line(s[0], s[1]) for s in series]
    if not labels or not lines:
        return ""
    left, right, top, bottom = 44, 10, (24 if legend else 10), 34
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = _nice_max(max((v for s in lines for v in s.values if v is not None), default=0))
    step = plot_w / max(len(labels) - 1, 1)
    out = [_svg_open(width, height, 11, fluid=fluid)]
    for k in range(5):
        v = vmax * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e7ee"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{v:g}</text>')
    every = max(1, len(labels) // 12)
    for i, lbl in enumerate(labels):
        if i % every == 0:
            out.append(
                f'<text x="{left + i * step:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                f"{escape(lbl)}</text>"
            )
    for s, line in enumerate(lines):
        color = line.color or PALETTE[s % len(PALETTE)]
        dash = ' stroke-dasharray="4 3"' if line.dashed else ""
        segment: list[str] = []
        segments = [segment]
        for i, v in enumerate(line.values):
            if v is None:
                segment = []
                segments.append(segment)
            else:
                segment.append(f"{left + i * step:.1f},{top + plot_h - plot_h * v / vmax:.1f}")
        for pts in segments:
            if pts:
                out.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{" ".join(pts)}"/>'
                )
        if legend:
            out.append(
                f'<rect x="{left + s * 110}" y="4" width="10" height="10" fill="{color}"/>'
                f'<text x="{left + s * 110 + 14}" y="13">{escape(line.name)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def scatter_map(points: list[dict], *, width: int = 640, height: int = 480) -> str:
    """Transformer areas placed by longitude/latitude; hotspots red and sized by their ratio.

    ``points``: dicts with ``lon``, ``lat``, ``label`` and optionally ``hot`` (bool),
    ``size`` (≥ 1) and ``href``. Points without coordinates are skipped.
    """
    pts = [p for p in points if p.get("lon") is not None and p.get("lat") is not None]
    if not pts:
        return ""
    lons = [p["lon"] for p in pts]
    lats = [p["lat"] for p in pts]
    lo_x, hi_x = min(lons), max(lons)
    lo_y, hi_y = min(lats), max(lats)
    span_x = (hi_x - lo_x) or 0.01
    span_y = (hi_y - lo_y) or 0.01
    pad = 14
    out = [_svg_open(width, height, 11, style="background:#f7f9fc")]
    ordered = sorted(pts, key=lambda p: bool(p.get("hot")))  # hotspots drawn last, on top
    for p in ordered:
        x = pad + (p["lon"] - lo_x) / span_x * (width - 2 * pad)
        y = height - pad - (p["lat"] - lo_y) / span_y * (height - 2 * pad)
        if p.get("hot"):
            r = min(14.0, 3.0 + 2.0 * float(p.get("size") or 1))
            dot = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#d62728" fill-opacity="0.75" '
                f'stroke="#7a1010"><title>{escape(p.get("label", ""))}</title></circle>'
            )
            if p.get("href"):
                dot = f'<a href="{escape(p["href"])}">{dot}</a>'
            out.append(dot)
        else:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="#9aa9bd">'
                f"<title>{escape(p.get('label', ''))}</title></circle>"
            )
    out.append("</svg>")
    return "".join(out)

"""Small server-side SVG charts (bar, grouped line, scatter map): offline, no JavaScript.

The same markup goes into web pages and WeasyPrint PDFs. Every label is escaped.
"""

from __future__ import annotations

from html import escape

PALETTE = ["#0b5cab", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
FONT = 'font-family="Noto Sans CJK SC, sans-serif"'


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exp = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


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
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" {FONT} font-size="12">'
    ]
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


def line_chart(
    labels: list[str], series: list[tuple[str, list[float]]], *, width: int = 640, height: int = 220
) -> str:
    """Lines over shared x labels (months, weeks), with a legend."""
    if not labels or not series:
        return ""
    left, right, top, bottom = 44, 10, 24, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax = _nice_max(max((max(vals) if vals else 0) for _, vals in series))
    step = plot_w / max(len(labels) - 1, 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" {FONT} font-size="11">'
    ]
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
    for s, (name, vals) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        pts = " ".join(
            f"{left + i * step:.1f},{top + plot_h - plot_h * v / vmax:.1f}" for i, v in enumerate(vals)
        )
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>')
        out.append(
            f'<rect x="{left + s * 110}" y="4" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + s * 110 + 14}" y="13">{escape(name)}</text>'
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
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" {FONT} font-size="11" style="background:#f7f9fc">'
    ]
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

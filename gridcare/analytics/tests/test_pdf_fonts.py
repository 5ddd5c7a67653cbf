"""Report PDFs bring their own CJK font: on a machine without any system font (fontconfig
pointed at an empty directory) the Chinese text is embedded in the packaged Noto Sans SC and
every character drawn has a real glyph in the embedded program — no empty boxes.

The PDF is rendered in a subprocess: fontconfig reads its configuration once per process,
so only a fresh process sees the hidden system fonts (``make test`` installs Debian's
fonts-noto-cjk, which the product must not rely on).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings

from gridcare.analytics.reports.build import build_report
from gridcare.analytics.reports.periods import parse_period
from gridcare.workorders.models import WorkOrder

from .insight_data import make_orders
from .pdfread import read_pdf

RENDER = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from gridcare.analytics.reports import render
    if sys.argv[3] == "without-font":
        render.pdf_font_face_css = lambda: ""
    data = json.load(open(sys.argv[1], encoding="utf-8"))
    open(sys.argv[2], "wb").write(render.render_pdf(data))
    """
)
FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def latin_only_font(path: Path) -> None:
    """A stand-in for a fresh machine's only system font: a few Latin glyphs, no CJK."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    def box():
        pen = TTGlyphPen(None)
        pen.moveTo((50, 0))
        pen.lineTo((50, 700))
        pen.lineTo((450, 700))
        pen.lineTo((450, 0))
        pen.closePath()
        return pen.glyph()

    names = [".notdef", "space", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({32: "space", **{ord(c): c for c in names[2:]}})
    empty = TTGlyphPen(None).glyph()
    fb.setupGlyf({n: (empty if n == "space" else box()) for n in names})
    fb.setupHorizontalMetrics({n: (500, 50) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Latin Only", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    fb.save(str(path))


def render_without_system_fonts(data: dict, tmp_path: Path, mode: str = "with-font") -> tuple[bytes, str]:
    """The report PDF rendered by a fresh process whose fontconfig knows no font at all
    (``mode`` "without-font": only a Latin font, and no packaged font either)."""
    (tmp_path / "fonts").mkdir()
    if mode == "without-font":
        # With no font at all and none of its own, Pango would have nothing to draw with.
        latin_only_font(tmp_path / "fonts" / "LatinOnly.ttf")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        FONTS_CONF.format(fonts=tmp_path / "fonts", cache=tmp_path / "fc-cache"), encoding="utf-8"
    )
    src, out = tmp_path / "report.json", tmp_path / "report.pdf"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(conf),
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "GRIDCARE_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    env.pop("FONTCONFIG_PATH", None)
    proc = subprocess.run(
        [sys.executable, "-c", RENDER, str(src), str(out), mode],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_bytes(), proc.stderr


def glyph_problems(pdf: bytes) -> list[str]:
    """Characters drawn without a real glyph: .notdef, a code missing from the embedded
    program, or an empty outline for a visible character."""
    from fontTools.pens.boundsPen import BoundsPen

    content = read_pdf(pdf)
    problems = []
    for name, codes in content.codes_by_font.items():
        font = content.fonts[name]
        if not font.program:
            problems.append(f"{font.base_font} is not embedded")
            continue
        tt = font.ttfont()
        order = tt.getGlyphOrder()
        glyphs = tt.getGlyphSet()
        for code in sorted(codes):
            char = font.to_unicode.get(code, "?")
            if code == 0 or code >= len(order):
                problems.append(f"{char!r} drawn as glyph {code} of {font.base_font}")
                continue
            if char.isspace():
                continue
            pen = BoundsPen(glyphs)
            glyphs[order[code]].draw(pen)
            if pen.bounds is None:
                problems.append(f"{char!r} has an empty glyph in {font.base_font}")
    return problems


@pytest.fixture
def report_data(world):
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 10, 30, tzinfo=dt.UTC)
    orders = make_orders(
        world.area_a, 12, start=start, end=end, text="台区低电压，晚上灯光昏暗，空调开不起来"
    )
    orders += make_orders(
        world.area_b,
        6,
        request_type="complaint",
        dimension="service_attitude",
        start=start,
        end=end,
        text="营业厅工作人员态度很差",
    )
    WorkOrder.objects.bulk_create(orders)
    return build_report(parse_period("monthly", "2026-10"), scope_name="扬州供电公司")


def test_report_pdf_embeds_its_own_cjk_font_without_system_fonts(report_data, tmp_path):
    pdf, stderr = render_without_system_fonts(report_data, tmp_path)
    # The process really had no font: WeasyPrint says so.
    assert "No fonts configured in FontConfig" in stderr
    content = read_pdf(pdf)
    noto = [f for f in content.fonts.values() if "Noto-Sans-SC" in f.base_font]
    assert noto and all(f.program for f in noto), content.fonts
    assert noto[0].family == "Noto Sans SC"
    # The Chinese comes back out of the PDF, from headings, figures and the orders' text.
    text = content.text.replace("\n", "")
    for phrase in ("扬州供电公司", "供电服务分析月报", "受理概况", "营业厅工作人员态度很差", "服务态度"):
        assert phrase in text, phrase
    assert "\ufffd" not in text
    # Every character drawn has a glyph in the embedded program, and the embedded font's own
    # character map covers every Chinese character of the page.
    assert glyph_problems(pdf) == []
    cmap = set(noto[0].ttfont().getBestCmap())
    han = {ch for ch in text if "\u4e00" <= ch <= "\u9fff"}
    assert len(han) > 100 and not {ch for ch in han if ord(ch) not in cmap}


def test_without_the_packaged_font_the_check_fails(report_data, tmp_path):
    """The control: the same report without the package's @font-face, on a machine whose
    only font is Latin, has no glyphs for its Chinese — what a fresh machine printed before."""
    pdf, _ = render_without_system_fonts(report_data, tmp_path, mode="without-font")
    content = read_pdf(pdf)
    assert not any("Noto-Sans-SC" in f.base_font for f in content.fonts.values())
    problems = glyph_problems(pdf)
    assert any("供" in p for p in problems), problems[:5]

"""Helpers for rectification tests: an item opened through the service."""

from __future__ import annotations

import io

from gridcare.rectification.services import rectification_open
from gridcare.rectification.sources import MANUAL


def open_item(actor, unit, **kwargs):
    kwargs.setdefault("source_kind", MANUAL)
    kwargs.setdefault("title", "营业厅服务指南未更新")
    return rectification_open(actor=actor, unit=unit, **kwargs)


def png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 30)).save(buf, "PNG")
    return buf.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return buf.getvalue()

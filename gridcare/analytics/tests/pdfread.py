"""Just enough PDF reading for the tests of WeasyPrint's output: its fonts, the embedded font
programs (read with fontTools, which WeasyPrint itself depends on) and the text of its pages.

WeasyPrint (pydyf) writes every font as a Type0 font with ``Identity-H`` encoding, a
``ToUnicode`` map and the subset program in ``FontFile2``/``FontFile3``; page text is shown
with hex strings (``[<0012>0<0013>] TJ``). Dictionaries may sit in object streams. This reads
exactly that, not PDFs in general.
"""

from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field

_OBJ = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(stream\r?\n|endobj)", re.S)
_REF = r"/{key} (\d+) 0 R"


def _inflate(head: bytes, raw: bytes) -> bytes:
    return zlib.decompress(raw) if b"/FlateDecode" in head else raw


def pdf_objects(data: bytes) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """(dictionaries, stream contents) by object number, object streams unpacked."""
    dicts: dict[int, bytes] = {}
    streams: dict[int, bytes] = {}
    for m in _OBJ.finditer(data):
        num, head = int(m.group(1)), m.group(2)
        dicts[num] = head
        if m.group(3).startswith(b"stream"):
            length = int(re.search(rb"/Length (\d+)", head).group(1))
            streams[num] = _inflate(head, data[m.end() : m.end() + length])
    for num, head in list(dicts.items()):
        if b"/Type /ObjStm" not in head:
            continue
        body = streams[num]
        first = int(re.search(rb"/First (\d+)", head).group(1))
        pairs = [int(x) for x in body[:first].split()]
        offsets = list(zip(pairs[::2], pairs[1::2], strict=True))
        for i, (obj, off) in enumerate(offsets):
            end = offsets[i + 1][1] if i + 1 < len(offsets) else len(body) - first
            dicts[obj] = body[first + off : first + end].strip()
    return dicts, streams


def _ref(head: bytes, key: str) -> int | None:
    m = re.search(_REF.format(key=key).encode(), head)
    return int(m.group(1)) if m else None


def _to_unicode(cmap: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    text = cmap.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            base = int(dst, 16)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(base + i)
    return out


@dataclass
class PdfFont:
    resource: str  # the name pages use (``/ONIMYD 16 Tf``)
    base_font: str  # ``ONIMYD+Noto-Sans-SC``
    family: str  # FontDescriptor /FontFamily, "" when absent
    program: bytes  # the embedded font program, b"" when the font is not embedded
    to_unicode: dict[int, str] = field(default_factory=dict)

    def ttfont(self):
        from fontTools.ttLib import TTFont

        return TTFont(io.BytesIO(self.program))


@dataclass
class PdfContent:
    fonts: dict[str, PdfFont]
    text: str  # every shown string, decoded through its font's ToUnicode map
    codes_by_font: dict[str, set[int]]  # glyph codes each font was asked to draw


def read_pdf(data: bytes) -> PdfContent:
    dicts, streams = pdf_objects(data)
    fonts: dict[str, PdfFont] = {}
    for num, head in dicts.items():
        if b"/Type /Font" not in head or b"/Subtype /Type0" not in head:
            continue
        base = re.search(rb"/BaseFont /([^\s/<>\[\]]+)", head).group(1).decode()
        descendant = int(re.search(rb"/DescendantFonts \[(\d+) 0 R", head).group(1))
        descriptor = dicts[_ref(dicts[descendant], "FontDescriptor")]
        family = re.search(rb"/FontFamily \((.*?)\)", descriptor)
        program_ref = next(
            (r for key in ("FontFile3", "FontFile2", "FontFile") if (r := _ref(descriptor, key))), None
        )
        unicode_ref = _ref(head, "ToUnicode")
        font = PdfFont(
            resource="",
            base_font=base,
            family=family.group(1).decode("latin-1") if family else "",
            program=streams.get(program_ref, b"") if program_ref else b"",
            to_unicode=_to_unicode(streams[unicode_ref]) if unicode_ref else {},
        )
        fonts[str(num)] = font
    # Resource names: ``<</ONIMYD 13 0 R ...>>`` dictionaries map names to font objects.
    by_name: dict[str, PdfFont] = {}
    for head in dicts.values():
        for name, ref in re.findall(rb"/([A-Za-z0-9_.+-]+) (\d+) 0 R", head):
            font = fonts.get(ref.decode())
            if font is not None and name.decode() not in ("DescendantFonts", "Parent"):
                font.resource = name.decode()
                by_name[font.resource] = font
    text: list[str] = []
    codes: dict[str, set[int]] = {}
    token = re.compile(rb"/([A-Za-z0-9_.+-]+)\s+[-\d.]+\s+Tf|<([0-9a-fA-F\s]*)>|(ET)")
    for content in streams.values():
        if b"BT" not in content or b"Tf" not in content:
            continue
        current: PdfFont | None = None
        for m in token.finditer(content):
            if m.group(1):
                current = by_name.get(m.group(1).decode())
            elif m.group(3):
                text.append("\n")
            elif current is not None and m.group(2) is not None:
                hexs = re.sub(rb"\s", b"", m.group(2))
                for i in range(0, len(hexs) - 3, 4):
                    code = int(hexs[i : i + 4], 16)
                    codes.setdefault(current.resource, set()).add(code)
                    text.append(current.to_unicode.get(code, "\ufffd"))
    return PdfContent(fonts=by_name, text="".join(text), codes_by_font=codes)

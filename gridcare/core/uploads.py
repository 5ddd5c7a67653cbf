"""Uploaded documents checked by content, not by name: what a file *is* (PDF, Word DOCX,
JPEG, PNG, WebP) is read from its bytes, whatever it is called or whatever type the browser
claims, and its size is bounded — an evidence photo of a fix, an emergency plan.

    kind = check_document(content, field="document")   # or an ApplicationError naming the field
    kind.content_type, kind.extension

Services call it before storing anything; ``serve_document`` answers a stored file with
headers that stop a browser from guessing another type (``nosniff``) and that download
what is not an image.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext

from .errors import ApplicationError

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
# A DOCX is a zip; one with more members than this is no document anybody wrote.
DOCX_MAX_MEMBERS = 2000

PDF, DOCX, JPEG, PNG, WEBP = "pdf", "docx", "jpeg", "png", "webp"
MP3, WAV, M4A = "mp3", "wav", "m4a"
IMAGES = frozenset({JPEG, PNG, WEBP})
DOCUMENTS = frozenset({PDF, DOCX}) | IMAGES
# Recordings (a mystery shopper's test call): never among DOCUMENTS unless asked for.
RECORDINGS = frozenset({MP3, WAV, M4A})
RECORDING_MAX_BYTES = 30 * 1024 * 1024


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    content_type: str
    extension: str

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGES


KINDS = {
    PDF: DocumentKind(PDF, "application/pdf", "pdf"),
    DOCX: DocumentKind(
        DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"
    ),
    JPEG: DocumentKind(JPEG, "image/jpeg", "jpg"),
    PNG: DocumentKind(PNG, "image/png", "png"),
    WEBP: DocumentKind(WEBP, "image/webp", "webp"),
    MP3: DocumentKind(MP3, "audio/mpeg", "mp3"),
    WAV: DocumentKind(WAV, "audio/wav", "wav"),
    M4A: DocumentKind(M4A, "audio/mp4", "m4a"),
}
KIND_NAMES = {
    PDF: "PDF",
    DOCX: "Word (DOCX)",
    JPEG: "JPEG",
    PNG: "PNG",
    WEBP: "WebP",
    MP3: "MP3",
    WAV: "WAV",
    M4A: "M4A",
}
# MPEG-4 audio brands (ISO base media 'ftyp' box) a phone or recorder writes.
M4A_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"isom", b"mp41")


def _sniff_audio(content: bytes) -> str | None:
    """A recording by its header: RIFF/WAVE, an ID3 tag or an MPEG audio frame, or an
    MPEG-4 'ftyp' box with an audio brand."""
    if content[:4] == b"RIFF" and content[8:12] == b"WAVE":
        return WAV
    if content[:3] == b"ID3" or (len(content) > 1 and content[0] == 0xFF and content[1] & 0xE0 == 0xE0):
        return MP3
    if content[4:8] == b"ftyp" and content[8:12] in M4A_BRANDS:
        return M4A
    return None


def kind_of_content_type(content_type: str) -> DocumentKind | None:
    return next((k for k in KINDS.values() if k.content_type == content_type), None)


def _sniff(content: bytes) -> str | None:
    audio = _sniff_audio(content)
    if audio is not None:
        return audio
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if len(names) <= DOCX_MAX_MEMBERS and "[Content_Types].xml" in names and "word/document.xml" in names:
            return DOCX
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as img:
            fmt = (img.format or "").lower()
            width, height = img.size
            if width * height > IMAGE_MAX_PIXELS:
                return None
            img.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return None
    return fmt if fmt in IMAGES else None


def allowed_text(allowed) -> str:
    return "、".join(KIND_NAMES[k] for k in (PDF, DOCX, JPEG, PNG, WEBP, MP3, WAV, M4A) if k in allowed)


def check_document(
    content: bytes | None,
    *,
    field: str,
    allowed=DOCUMENTS,
    max_bytes: int = DOCUMENT_MAX_BYTES,
) -> DocumentKind:
    """The kind of ``content`` when it is one of ``allowed`` and at most ``max_bytes``;
    otherwise a 400 ``ApplicationError`` on ``field`` (codes ``required``, ``too_large``,
    ``invalid_type``)."""
    if not content:
        raise ApplicationError(gettext("请选择文件"), field=field, code="required")
    if len(content) > max_bytes:
        raise ApplicationError(
            gettext("文件过大（最大 %(mb)s MB）") % {"mb": max_bytes // 1024 // 1024},
            field=field,
            code="too_large",
        )
    kind = _sniff(content)
    if kind is None or kind not in allowed:
        raise ApplicationError(
            gettext("不支持的文件类型（支持 %(types)s）") % {"types": allowed_text(allowed)},
            field=field,
            code="invalid_type",
        )
    return KINDS[kind]


def read_upload(upload, *, field: str, max_bytes: int = DOCUMENT_MAX_BYTES) -> bytes:
    """The bytes of an uploaded file (a Django ``UploadedFile``), refusing one over
    ``max_bytes`` before reading it; empty bytes when nothing was uploaded."""
    if upload is None:
        return b""
    if upload.size is not None and upload.size > max_bytes:
        raise ApplicationError(
            gettext("文件过大（最大 %(mb)s MB）") % {"mb": max_bytes // 1024 // 1024},
            field=field,
            code="too_large",
        )
    return upload.read(max_bytes + 1)


def serve_document(file_field, *, content_type: str, filename: str):
    """A stored document as a download (an image inline), never sniffed as another type."""
    from django.http import FileResponse, Http404

    try:
        handle = file_field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    kind = kind_of_content_type(content_type)
    inline = kind is not None and kind.is_image
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response

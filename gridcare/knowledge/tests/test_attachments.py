"""Attachments on knowledge articles: added and removed by editors (type by content, size
and count bounds, audited), listed on the article and the editor's page, served to agents
only where they may open the article (published and valid), never once removed."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gridcare.core.audit import audit_events_for
from gridcare.core.errors import ApplicationError, PermissionDeniedError
from gridcare.knowledge import services
from gridcare.knowledge.models import ArticleAttachment
from gridcare.org.choices import Role

from .factories import make_article

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode"


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _editor(world):
    return world.staff(Role.QUALITY_INSPECTOR, world.city)


def _upload(client, article, content, name="通知.pdf"):
    return client.post(
        f"/knowledge/manage/{article.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}
    )


def test_editor_uploads_and_agent_downloads_from_published_article(world):
    article = make_article()
    editor_user = _editor(world)
    editor = _page(editor_user)
    r = _upload(editor, article, PDF_BYTES, name="C:\\fakepath\\峰谷电价通知.pdf")
    assert r.status_code == 302 and r["Location"] == f"/knowledge/manage/{article.pk}/"
    row = ArticleAttachment.objects.get()
    assert (row.filename, row.content_type, row.extension, row.size) == (
        "峰谷电价通知.pdf",
        "application/pdf",
        "pdf",
        len(PDF_BYTES),
    )
    assert len(row.token) == 32 and row.by == editor_user and row.version == article.published
    assert [e for e in audit_events_for(article) if e.action == "knowledge.attach"]
    html = editor.get(f"/knowledge/manage/{article.pk}/").content.decode()
    assert "峰谷电价通知.pdf" in html and 'enctype="multipart/form-data"' in html
    assert f"/knowledge/attachments/{row.pk}/remove/" in html

    agent = _page(world.staff(Role.HOTLINE_AGENT))
    url = f"/knowledge/articles/{article.pk}/attachments/{row.token}/"
    assert url in agent.get(f"/knowledge/articles/{article.pk}/").content.decode()
    r = agent.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF_BYTES
    assert r["Content-Type"] == "application/pdf" and r["X-Content-Type-Options"] == "nosniff"
    # a wrong token, another article's id, junk: 404, never a 500
    other = make_article("TEST-2")
    assert agent.get(f"/knowledge/articles/{article.pk}/attachments/{'0' * 32}/").status_code == 404
    assert agent.get(f"/knowledge/articles/{other.pk}/attachments/{row.token}/").status_code == 404
    assert agent.get(f"/knowledge/articles/abc/attachments/{row.token}/").status_code == 404
    assert agent.get(f"/knowledge/articles/{article.pk}/attachments/{'x' * 500}/").status_code == 404
    planner = _page(world.staff(Role.PLANNER))
    assert planner.get(url).status_code == 403


def test_type_by_content_and_size_bound(world):
    article = make_article()
    editor = _page(_editor(world))
    r = _upload(editor, article, EXE_BYTES, name="通知.pdf")
    assert r.status_code == 302 and not ArticleAttachment.objects.exists()
    with pytest.raises(ApplicationError) as exc:
        services.attachment_add(actor=_editor(world), article=article, content=EXE_BYTES, filename="a.pdf")
    assert (exc.value.field, exc.value.code) == ("file", "invalid_type")
    big = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    with pytest.raises(ApplicationError) as exc:
        services.attachment_add(actor=_editor(world), article=article, content=big, filename="big.pdf")
    assert (exc.value.field, exc.value.code) == ("file", "too_large")
    r = _upload(editor, article, big, name="big.pdf")
    assert r.status_code == 302 and not ArticleAttachment.objects.exists()
    assert "文件过大" in editor.get(r["Location"]).content.decode()
    with pytest.raises(ApplicationError) as exc:
        services.attachment_add(actor=_editor(world), article=article, content=b"", filename="x.pdf")
    assert exc.value.field == "file"
    # an image is accepted, recognised by its content whatever its name says
    row = services.attachment_add(
        actor=_editor(world), article=article, content=png_bytes(), filename="照片.pdf"
    )
    assert row.content_type == "image/png" and row.file.name.endswith(".png")


def test_count_bound_counts_live_attachments_only(world):
    article = make_article()
    editor_user = _editor(world)
    rows = [
        services.attachment_add(actor=editor_user, article=article, content=PDF_BYTES, filename=f"{i}.pdf")
        for i in range(services.ATTACHMENTS_MAX)
    ]
    with pytest.raises(ApplicationError) as exc:
        services.attachment_add(actor=editor_user, article=article, content=PDF_BYTES, filename="11.pdf")
    assert (exc.value.field, exc.value.code) == ("file", "too_many")
    html = _page(editor_user).get(f"/knowledge/manage/{article.pk}/").content.decode()
    assert 'name="file"' not in html  # the form is gone at the bound
    services.attachment_remove(actor=editor_user, attachment=rows[0])
    services.attachment_add(actor=editor_user, article=article, content=PDF_BYTES, filename="again.pdf")
    assert ArticleAttachment.objects.filter(removed_at__isnull=True).count() == services.ATTACHMENTS_MAX


def test_agent_cannot_download_from_draft_only_article(world):
    draft = make_article("DRAFT-1", publish=False)
    editor = _page(_editor(world))
    _upload(editor, draft, PDF_BYTES)
    row = ArticleAttachment.objects.get()
    url = f"/knowledge/articles/{draft.pk}/attachments/{row.token}/"
    assert editor.get(url).status_code == 200
    assert url in editor.get(f"/knowledge/articles/{draft.pk}/").content.decode()
    assert _page(world.staff(Role.HOTLINE_AGENT)).get(url).status_code == 404


def test_remove_hides_the_attachment(world):
    article = make_article()
    editor_user = _editor(world)
    editor = _page(editor_user)
    _upload(editor, article, PDF_BYTES, name="旧通知.pdf")
    row = ArticleAttachment.objects.get()
    url = f"/knowledge/articles/{article.pk}/attachments/{row.token}/"
    r = editor.post(f"/knowledge/attachments/{row.pk}/remove/")
    assert r.status_code == 302
    row.refresh_from_db()
    assert row.removed_at is not None and row.removed_by == editor_user
    assert [e for e in audit_events_for(article) if e.action == "knowledge.detach"]
    agent = _page(world.staff(Role.HOTLINE_AGENT))
    assert agent.get(url).status_code == 404 and editor.get(url).status_code == 404
    assert "旧通知.pdf" not in agent.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "旧通知.pdf" not in editor.get(f"/knowledge/manage/{article.pk}/").content.decode()
    # removing twice: 404, not a 500
    assert editor.post(f"/knowledge/attachments/{row.pk}/remove/").status_code == 404
    with pytest.raises(ApplicationError) as exc:
        services.attachment_remove(actor=editor_user, attachment=row)
    assert exc.value.code == "not_found"
    assert editor.get(f"/knowledge/attachments/{row.pk}/remove/").status_code == 405


def test_agent_cannot_upload_or_remove(world):
    article = make_article()
    services.attachment_add(actor=_editor(world), article=article, content=PDF_BYTES, filename="a.pdf")
    row = ArticleAttachment.objects.get()
    agent_user = world.staff(Role.HOTLINE_AGENT)
    agent = _page(agent_user)
    assert _upload(agent, article, PDF_BYTES).status_code == 403
    assert agent.post(f"/knowledge/attachments/{row.pk}/remove/").status_code == 403
    assert ArticleAttachment.objects.filter(removed_at__isnull=True).count() == 1
    html = agent.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "a.pdf" in html and 'type="file"' not in html and "/remove/" not in html
    with pytest.raises(PermissionDeniedError):
        services.attachment_add(actor=agent_user, article=article, content=PDF_BYTES, filename="b.pdf")
    with pytest.raises(PermissionDeniedError):
        services.attachment_remove(actor=agent_user, attachment=row)
    assert ArticleAttachment.objects.count() == 1


def test_pages_do_not_query_per_attachment(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = make_article()
    editors = [_editor(world), world.staff(Role.SUPERVISOR, world.city)]
    editor = _page(editors[0])
    agent = _page(world.staff(Role.HOTLINE_AGENT))

    def counts():
        out = []
        for client, url in [
            (editor, f"/knowledge/manage/{article.pk}/"),
            (agent, f"/knowledge/articles/{article.pk}/"),
        ]:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    services.attachment_add(actor=editors[0], article=article, content=PDF_BYTES, filename="0.pdf")
    counts()  # warm the per-process caches (permissions, staff names)
    one = counts()
    for i in range(1, 5):
        services.attachment_add(actor=editors[i % 2], article=article, content=PDF_BYTES, filename=f"{i}.pdf")
    assert counts() == one

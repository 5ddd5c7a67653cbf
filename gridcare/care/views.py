"""Care's pages: segment sizes and value, and how they moved."""

from __future__ import annotations

from django.shortcuts import render

from gridcare.core.authz import requires

from .selectors import segment_overview


@requires("care.view_segments")
def segments_page(request):
    return render(request, "care/segments.html", {"o": segment_overview(request.user)})

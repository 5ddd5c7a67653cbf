"""Knowledge API: search (``GET /api/knowledge/search/?q=``), the same hits as the pages,
best first, as a plain list of ``{code, title, score, kind, category, valid_to}``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from gridcare.core.errors import ApplicationError

from .. import selectors, services
from ..choices import SearchSource
from .serializers import KnowledgeHitSerializer, KnowledgeSearchQuerySerializer


class KnowledgeSearchView(APIView):
    """Articles answering ``q`` (published, valid today, in the caller's region). A query
    longer than 2,000 characters is refused; the first 200 count."""

    permissions_by_action = {"get": "knowledge.view"}

    @extend_schema(
        operation_id="knowledge_search",
        parameters=[KnowledgeSearchQuerySerializer],
        responses=KnowledgeHitSerializer(many=True),
        summary="知识库检索",
    )
    def get(self, request):
        query = KnowledgeSearchQuerySerializer(data=request.query_params)
        if not query.is_valid():
            field, errors = next(iter(query.errors.items()))
            raise ApplicationError(str(errors[0]), field=field, code="invalid")
        q, limit = query.validated_data["q"], query.validated_data["limit"]
        hits = selectors.article_search(request.user, q, limit=limit)
        services.search_log(actor=request.user, query=q, source=SearchSource.API, hits=hits)
        return Response([h.as_dict() for h in hits])

"""What the knowledge base writes on other apps' records, as codes (``core.messages``)."""

from django.utils.translation import gettext_lazy as _

from gridcare.core.messages import register

# On a work order's timeline: the agent answered from this article.
register("knowledge.answered", _("已用知识库答复：%(article)s %(title)s"))

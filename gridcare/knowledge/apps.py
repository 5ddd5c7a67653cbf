from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "gridcare.knowledge"
    label = "knowledge"
    verbose_name = "知识库"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from gridcare.core.navigation import NavEntry, register_nav

        # audit rows in words, timeline codes, `gridcare import knowledge`, the intake block
        from . import audit_labels, importers, messages, panels  # noqa: F401

        register_nav(
            NavEntry(
                "knowledge:search",
                _("知识库"),
                _("检索知识条目、政策通知和服务话术"),
                order=15,
            )
        )
        register_nav(
            NavEntry(
                "knowledge:manage",
                _("知识维护"),
                _("编辑知识条目、提交审核、审核发布、使用情况与知识缺口"),
                order=59,
            )
        )

"""Django admin views of the knowledge base, read-mostly: edits go through GridCare's
editor pages (versions, review), which the services own."""

from django.contrib import admin

from .models import Article, ArticleAttachment, ArticleVersion, Category, SearchLog


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("path", "depth")
    search_fields = ("path",)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "kind", "category", "valid_from", "valid_to", "is_sample", "used_count")
    list_filter = ("kind", "is_sample")
    search_fields = ("code", "title")
    readonly_fields = [f.name for f in Article._meta.fields]


@admin.register(ArticleVersion)
class ArticleVersionAdmin(admin.ModelAdmin):
    list_display = ("article", "number", "state", "author", "reviewer", "reviewed_at")
    list_filter = ("state",)
    readonly_fields = [f.name for f in ArticleVersion._meta.fields]


@admin.register(SearchLog)
class SearchLogAdmin(admin.ModelAdmin):
    list_display = ("at", "query", "hits", "source")
    readonly_fields = [f.name for f in SearchLog._meta.fields]


@admin.register(ArticleAttachment)
class ArticleAttachmentAdmin(admin.ModelAdmin):
    list_display = ("article", "filename", "content_type", "size", "by", "at", "removed_at")
    readonly_fields = [f.name for f in ArticleAttachment._meta.fields]

from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("articles/<str:pk>/", views.article_detail, name="article"),
    path("articles/<str:pk>/feedback/", views.feedback, name="feedback"),
    path("articles/<str:pk>/sms/", views.send_sms, name="sms"),
    path("articles/<str:pk>/answered/", views.answered, name="answered"),
    path("articles/<str:pk>/attachments/<str:token>/", views.attachment_file, name="attachment-file"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.article_new, name="new"),
    path("manage/<str:pk>/", views.article_versions, name="versions"),
    path("manage/<str:pk>/edit/", views.article_edit, name="edit"),
    path("manage/<str:pk>/attachments/", views.attachment_add, name="attachment-add"),
    path("attachments/<str:pk>/remove/", views.attachment_remove, name="attachment-remove"),
    path("versions/<str:pk>/submit/", views.submit, name="submit"),
    path("review/", views.review_queue, name="review"),
    path("review/<str:pk>/", views.review, name="review-version"),
    path("insight/", views.insight, name="insight"),
]

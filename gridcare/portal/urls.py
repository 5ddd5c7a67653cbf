from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("signin/verify/", views.verify, name="verify"),
    path("signout/", views.signout, name="signout"),
    path("orders/", views.orders, name="orders"),
    path("orders/new/", views.submit, name="submit"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/rate/", views.rate, name="rate"),
    path("outages/", views.outages, name="outages"),
    path("articles/", views.articles, name="articles"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("contact/", views.contact, name="contact"),
    path("report/", views.report, name="report"),
    path("report/status/", views.report_status, name="report-status"),
    path("apply/", views.apply, name="apply"),
    path("apply/<int:pk>/visit/", views.application_book, name="application-book"),
    # Staff pages (signed-in staff, permissions).
    path("review/", views.review_list, name="review-list"),
    path("review/<int:pk>/", views.review, name="review"),
    path("attachments/<str:token>/", views.attachment, name="attachment"),
]

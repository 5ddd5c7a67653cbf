from django.urls import path

from . import views

app_name = "hall"
urlpatterns = [
    path("", views.hall_list, name="list"),
    path("figures/", views.figures, name="figures"),
    path("figures.xlsx", views.figures_xlsx, name="figures-xlsx"),
    path("counters/", views.counter_pick, name="counter-pick"),
    path("counters/<str:pk>/", views.counter_page, name="counter"),
    path("counters/<str:pk>/call-next/", views.call_next, name="call-next"),
    path("counters/<str:pk>/rate/", views.rate, name="rate"),
    path("tickets/<str:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:pk>/slip/", views.slip, name="slip"),
    path("tickets/<str:pk>/act/<str:action>/", views.ticket_action, name="act"),
    path("<str:pk>/", views.hall_detail, name="detail"),
    path("<str:pk>/close/", views.hall_close, name="close"),
    path("<str:pk>/board/", views.board, name="board"),
    path("<str:pk>/kiosk/", views.kiosk, name="kiosk"),
]

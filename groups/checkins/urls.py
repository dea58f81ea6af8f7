from django.urls import path

from groups.checkins import views

app_name = "checkins"

urlpatterns = [
    path("c/", views.checkin_enter, name="enter"),
    path("c/<str:code>", views.checkin, name="checkin"),
    path("checkins/sessions/<int:session_id>/", views.window_manage, name="window_manage"),
    path("checkins/sessions/<int:session_id>/settings", views.window_settings, name="window_settings"),
    path("checkins/sessions/<int:session_id>/open", views.window_open, name="window_open"),
    path("checkins/sessions/<int:session_id>/close", views.window_close, name="window_close"),
    path("checkins/sessions/<int:session_id>/screen", views.window_screen, name="window_screen"),
    path("checkins/sessions/<int:session_id>/codes", views.window_slips, name="window_slips"),
]

from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    # Facilitator pages.
    path("groups/", views.group_list, name="group_list"),
    path("groups/new", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/archive", views.group_archive, name="group_archive"),
    path("groups/<int:pk>/facilitators/add", views.cofacilitator_add, name="cofacilitator_add"),
    path(
        "groups/<int:pk>/facilitators/<int:user_id>/remove",
        views.cofacilitator_remove,
        name="cofacilitator_remove",
    ),
    path("groups/<int:pk>/member-link/cards", views.member_card, name="member_card"),
    path("groups/<int:pk>/member-link/rotate", views.member_token_rotate, name="member_token_rotate"),
    path("groups/<int:pk>/sessions/new", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/move", views.session_move, name="session_move"),
    path("sessions/<int:pk>/cancel", views.session_cancel, name="session_cancel"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/extend", views.series_extend, name="series_extend"),
    path("sessions/<int:pk>/attendance", views.session_attendance, name="session_attendance"),
    path("settings/reminders", views.reminder_settings, name="reminder_settings"),
    path("settings/calendar/rotate", views.calendar_token_rotate, name="calendar_token_rotate"),
    # Calendar apps cannot log in: the secret token in the URL is the credential.
    path("calendar/<str:token>.ics", views.facilitator_feed, name="facilitator_feed"),
    # Member pages: no account, neutral titles, the member layout.
    path("g/<str:token>", views.member_group, name="member_group"),
    path("g/<str:token>/calendar.ics", views.member_feed, name="member_feed"),
    path("help", views.member_help, name="member_help"),
    path("safety", views.member_safety, name="member_safety"),
    path("accessibility", views.accessibility, name="accessibility"),
]

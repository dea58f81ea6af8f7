from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("library/", views.reading_list, name="reading_list"),
    path("library/readings/<slug:slug>/", views.reading_detail, name="reading_detail"),
    path("library/sessions/", views.session_list, name="session_list"),
    path("library/sessions/<int:session_id>/", views.session_readings, name="session_readings"),
    path("library/sessions/<int:session_id>/add/", views.session_reading_add, name="session_reading_add"),
    path("library/sessions/<int:session_id>/note/", views.session_note_update, name="session_note_update"),
    path("library/sessions/<int:session_id>/plan/", views.session_plan_apply, name="session_plan_apply"),
    path("library/assignments/<int:assignment_id>/note/", views.assignment_update, name="assignment_update"),
    path("library/assignments/<int:assignment_id>/move/", views.assignment_move, name="assignment_move"),
    path(
        "library/assignments/<int:assignment_id>/remove/", views.assignment_remove, name="assignment_remove"
    ),
    path("library/plans/", views.plan_list, name="plan_list"),
    path("library/plans/new/", views.plan_create, name="plan_create"),
    path("library/plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("library/plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("library/plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
]

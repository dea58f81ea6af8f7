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
    path("checkins/sessions/<int:session_id>/review", views.window_review, name="window_review"),
    path("checkins/sessions/<int:session_id>/count.json", views.window_count, name="window_count"),
    path("checkins/sessions/<int:session_id>/screen", views.window_screen, name="window_screen"),
    path("checkins/sessions/<int:session_id>/codes", views.window_slips, name="window_slips"),
    path("checkins/sessions/<int:session_id>/results", views.session_results, name="session_results"),
    path("checkins/groups/<int:group_id>/trends", views.trends_group, name="trends_group"),
    path("checkins/groups/<int:group_id>/trends/report", views.trends_report, name="trends_report"),
    path("checkins/groups/<int:group_id>/trends.csv", views.trends_csv, name="trends_csv"),
    path("checkins/groups/<int:group_id>/blocks/<int:number>", views.block_results, name="block_results"),
    path("checkins/comments/<uuid:comment_id>/hide", views.comment_hide, name="comment_hide"),
    path("checkins/safety", views.safety_guidance, name="safety_guidance"),
    path(
        "checkins/safety/<str:kind>/<int:unit_id>/seen",
        views.signal_seen,
        name="signal_seen",
    ),
    path("checkins/program", views.trends_program, name="trends_program"),
    path("checkins/exports", views.export_start, name="export_start"),
    path("checkins/exports/<uuid:job_id>", views.export_status, name="export_status"),
    path("checkins/exports/<uuid:job_id>/status.json", views.export_status_json, name="export_status_json"),
    path("checkins/exports/<uuid:job_id>/download", views.export_download, name="export_download"),
]

from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    # Member pages: no account, neutral titles, the member layout.
    path("help", views.member_help, name="member_help"),
    path("safety", views.member_safety, name="member_safety"),
]

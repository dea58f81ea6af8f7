"""The site's URLs plus the floor view. Only ``bench.settings`` points here, so the
floor is never reachable on a real deployment."""

from django.urls import path

from bench import views
from facilitator.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/floor", views.raw_insert_floor, name="bench_floor"),
    *site_urlpatterns,
]

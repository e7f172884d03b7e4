"""URLs of the territory app (social map and referrals)."""

from django.urls import path  # noqa: F401

app_name = "territory"
urlpatterns: list = []

"""URLs of the scheduling app (mounted at /calendar/)."""

from django.urls import path

from careweave.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("book/", views.book, name="book"),
    path("persons/<uuid:person_id>/new/", views.new, name="new"),
    path("appointments/<uuid:fhir_id>/", views.appointment, name="appointment"),
    path("feed/", views.feed_settings, name="feed_settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]

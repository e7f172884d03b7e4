"""URLs of the consultations app (mounted at /consultations/)."""

from django.urls import path

from careweave.consultations import views

app_name = "consultations"
urlpatterns = [
    path("", views.organise, name="organise"),
    path("mine/", views.mine, name="mine"),
    path("persons/<uuid:person_id>/", views.person_list, name="person"),
    path("persons/<uuid:person_id>/new/", views.new, name="new"),
    path("<uuid:fhir_id>/", views.detail, name="detail"),
    path("<uuid:fhir_id>/schedule/", views.schedule, name="schedule"),
    path("<uuid:fhir_id>/invite/", views.invite, name="invite"),
    path("<uuid:fhir_id>/respond/<int:pk>/", views.respond, name="respond"),
    path("<uuid:fhir_id>/attendance/", views.attendance, name="attendance"),
    path("<uuid:fhir_id>/minutes/", views.minutes, name="minutes"),
    path("<uuid:fhir_id>/decision/", views.record_decision, name="decision"),
    path("<uuid:fhir_id>/conclude/", views.conclude, name="conclude"),
    path("<uuid:fhir_id>/cancel/", views.cancel, name="cancel"),
]

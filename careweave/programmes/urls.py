"""URLs of the programmes app (mounted at /programmes/)."""

from django.urls import path

from careweave.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.registry_list, name="registry"),
    path("request/", views.registry_request, name="request"),
    path("pathways/<slug:code>/", views.pathway_detail, name="pathway"),
    path("zone/", views.zone_counts, name="zone"),
    path("transitions/", views.transitions, name="transitions"),
    path("persons/<uuid:person_id>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<uuid:fhir_id>/", views.enrolment_edit, name="enrolment_edit"),
    path("enrolments/<uuid:fhir_id>/leave/", views.enrolment_leave, name="enrolment_leave"),
]

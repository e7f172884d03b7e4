"""Assessment pages under /assessments/: one prefix, so the service worker's scope covers them all."""

from django.urls import path

from careweave.assessments import offline, views

app_name = "assessments"

urlpatterns = [
    path("", views.person_assessments_root, name="person_root"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("sync/", offline.sync, name="sync"),
    path("instruments/<str:code>/<str:version>/questionnaire.json", offline.questionnaire, name="questionnaire"),
    path("persons/<uuid:person_id>/", views.person_assessments, name="person"),
    path("persons/<uuid:person_id>/start/", views.start, name="start"),
    path("persons/<uuid:person_id>/new/<str:code>/", views.new_assessment, name="new"),
    path("<uuid:assessment_id>/", views.fill, name="fill"),
    path("<uuid:assessment_id>/result/", views.result, name="result"),
    path("<uuid:assessment_id>/judgement/", views.judgement, name="judgement"),
    path("<uuid:assessment_id>/goal/", views.make_goal, name="goal"),
    path("<uuid:assessment_id>/share/", views.share, name="share"),
]

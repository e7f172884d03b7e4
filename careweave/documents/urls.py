"""Document pages, addressed by the person's and the document's public ids (as in FHIR)."""

from django.urls import path

from careweave.documents import views

app_name = "documents"

urlpatterns = [
    path("<uuid:person_id>/add/", views.attach, name="attach"),
    path("<uuid:person_id>/<uuid:document_id>/", views.detail, name="detail"),
    path("<uuid:person_id>/<uuid:document_id>/replace/", views.replace, name="replace"),
    path("<uuid:person_id>/<uuid:document_id>/label/", views.relabel, name="relabel"),
    path("<uuid:person_id>/<uuid:document_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:person_id>/files/<uuid:binary_id>/", views.download, name="download"),
]

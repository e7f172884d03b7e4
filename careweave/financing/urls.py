"""URLs of the financing app (mounted at /financing/)."""

from django.urls import path

from . import views

app_name = "financing"
urlpatterns = [
    path("", views.index, name="index"),
    path("person/<uuid:person_id>/", views.person_provisions, name="person"),
    path("person/<uuid:person_id>/register/", views.register, name="register"),
    path("person/<uuid:person_id>/budget/", views.allocate, name="allocate"),
    path("person/<uuid:person_id>/budget/<uuid:budget_id>/transfer/", views.transfer, name="transfer"),
    path("person/<uuid:person_id>/provision/<uuid:provision_id>/cancel/", views.cancel, name="cancel"),
    path("reports/", views.report, name="report"),
    path("reports/export.csv", views.export, name="export"),
    path("budgets/", views.budgets, name="budgets"),
    path("tariffs/", views.tariffs, name="tariffs"),
    path("simulator/", views.simulator_page, name="simulator"),
]

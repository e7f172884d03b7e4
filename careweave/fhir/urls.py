"""FHIR R4 REST API routes, mounted at ``/fhir/R4`` (no trailing slash: FHIR URLs have none)."""

from django.urls import path

from careweave.fhir import binary, views
from careweave.fhir.bulk import views as bulk
from careweave.fhir.programme_operations import plan_definition_apply
from careweave.fhir.subscriptions import views as subscriptions

app_name = "fhir"

urlpatterns = [
    path("", views.system, name="base"),
    path("/", views.system),
    path("/metadata", views.metadata, name="metadata"),
    # issue #8: SDC operations, before the generic routes (which would take "$populate" for an id)
    path("/Questionnaire/$populate", views.questionnaire_populate, name="questionnaire-populate"),
    path("/Questionnaire/<str:rid>/$populate", views.questionnaire_populate),
    path("/QuestionnaireResponse/$extract", views.response_extract, name="response-extract"),
    path("/QuestionnaireResponse/<str:rid>/$extract", views.response_extract),
    # issue #9: PlanDefinition/$apply enrols through the same action as the web
    path("/PlanDefinition/<str:rid>/$apply", plan_definition_apply, name="plan-definition-apply"),
    # issue #21: topic-based subscriptions (R4 Backport), before the generic routes
    path("/Subscription", subscriptions.collection, name="subscriptions"),
    path("/Subscription/$status", subscriptions.status, name="subscription-status-many"),
    path("/Subscription/<str:rid>/$status", subscriptions.status, name="subscription-status"),
    path("/Subscription/<str:rid>", subscriptions.instance, name="subscription"),
    # issue 20: FHIR Bulk Data $export, its status and files, and the Groups it exports
    path("/$export", bulk.system_export, name="bulk-export"),
    path("/Patient/$export", bulk.patient_export, name="bulk-patient-export"),
    path("/Group/<str:gid>/$export", bulk.group_export, name="bulk-group-export"),
    path("/$export-status/<uuid:key>", bulk.export_status, name="bulk-status"),
    path("/$export-file/<uuid:key>/<str:name>", bulk.export_file, name="bulk-file"),
    path("/Group", bulk.group_search, name="group-search"),
    path("/Group/<str:gid>", bulk.group_read, name="group-read"),
    # issue #20: SQL-on-FHIR ViewDefinitions and $viewdefinition-run
    path("/ViewDefinition", views.viewdefinition_search, name="viewdefinition-search"),
    path("/ViewDefinition/$viewdefinition-run", views.viewdefinition_run, name="viewdefinition-run"),
    path("/ViewDefinition/<str:rid>/$viewdefinition-run", views.viewdefinition_run, name="viewdefinition-run-id"),
    path("/ViewDefinition/<str:rid>", views.viewdefinition_read, name="viewdefinition-read"),
    # issue #21: a document's file, through the same action as the web download (audited)
    path("/Binary/<str:rid>", binary.binary_read, name="binary"),
    path("/Patient/<str:rid>/$everything", views.patient_everything, name="patient-everything"),
    path("/<str:resource_type>", views.type_level, name="type"),
    path("/<str:resource_type>/_search", views.type_search, name="search"),
    path("/<str:resource_type>/<str:rid>", views.instance, name="instance"),
    path("/<str:resource_type>/<str:rid>/_history", views.instance_history, name="history"),
    path("/<str:resource_type>/<str:rid>/_history/<str:vid>", views.vread, name="vread"),
    path("/Patient/<str:rid>/<str:resource_type>", views.compartment, name="compartment"),
]

"""FHIR R4 REST API routes (filled by the fhir app)."""

urlpatterns: list = []

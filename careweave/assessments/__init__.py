"""Assessments and questionnaires: instruments as FHIR Questionnaires, one engine (decision 0008)."""

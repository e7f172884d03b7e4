"""FHIR mappings of the consultations app (filled by its issue); registered in fhir/registry.py."""

from __future__ import annotations

from careweave.fhir.mapping.base import Mapping

MAPPINGS: list[Mapping] = []

"""The FHIR test cast (``tests/fhir/conftest.py``) for the received-records tests: the same GP, Maria,
plan and API client, loaded by path (the FHIR folder is not a package)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("records_fhir_cast", Path(__file__).parents[1] / "fhir" / "conftest.py")
fhir_cast = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fhir_cast)

Api = fhir_cast.Api
make_professional_user = fhir_cast.make_professional_user
make_api = fhir_cast.make_api
gp = fhir_cast.gp
stranger = fhir_cast.stranger
social_worker = fhir_cast.social_worker
api = fhir_cast.api
person = fhir_cast.person
plan = fhir_cast.plan
welfare_member = fhir_cast.welfare_member

"""The resource types Careweave serves, and which mapping handles each."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from careweave.fhir.errors import NotFound
from careweave.fhir.mapping.access import MAPPINGS as ACCESS
from careweave.fhir.mapping.assessments import MAPPINGS as ASSESSMENTS  # issue #8
from careweave.fhir.mapping.base import Mapping
from careweave.fhir.mapping.careplans import MAPPINGS as CAREPLANS
from careweave.fhir.mapping.consultations import MAPPINGS as CONSULTATIONS  # issue #9
from careweave.fhir.mapping.coordination import MAPPINGS as EPISODES  # issue #20: three kinds of episode
from careweave.fhir.mapping.documents import MAPPINGS as DOCUMENTS  # issue #21
from careweave.fhir.mapping.financing import MAPPINGS as FINANCING  # issue #20: provisions as ChargeItem
from careweave.fhir.mapping.people import MAPPINGS as PEOPLE
from careweave.fhir.mapping.programmes import MAPPINGS as PROGRAMMES  # issue #9
from careweave.fhir.mapping.scheduling import AppointmentMapping  # issue 21: MDOs and calendar appointments
from careweave.fhir.mapping.stored import stored_mappings
from careweave.fhir.mapping.territory import MAPPINGS as TERRITORY  # issue #10

STORED = stored_mappings()

MAPPINGS: dict[str, Mapping] = {
    m.resource_type: m
    for m in [*PEOPLE, *CAREPLANS, *ACCESS, *ASSESSMENTS, *PROGRAMMES, *CONSULTATIONS, *TERRITORY, *EPISODES,
              *DOCUMENTS, *FINANCING]
}
MAPPINGS["Appointment"] = AppointmentMapping()  # issue 21 (decision 0032)
# --- issue 12: unmodelled types, kept as received and served read-only (mapping/stored.py); a type
# that gets a mapping of its own above takes precedence.
MAPPINGS.update({m.resource_type: m for m in STORED if m.resource_type not in MAPPINGS})
# --- end issue 12
BY_MODEL: dict[type[models.Model], Mapping] = {m.model: m for m in MAPPINGS.values() if m.versioned}

# Order in which a transaction creates resources, so that references point backwards.
WRITE_ORDER = ["Organization", "Practitioner", "PractitionerRole", "Patient", "RelatedPerson", "CareTeam",
               "CarePlan", "Goal", "Task", "Communication", "Consent", "QuestionnaireResponse"]


def mapping_for(resource_type: str) -> Mapping:
    try:
        return MAPPINGS[resource_type]
    except KeyError:
        raise NotFound(
            _("Careweave does not serve %(type)s resources.") % {"type": resource_type}, code="not-supported"
        ) from None


def mapping_for_model(model: type[models.Model]) -> Mapping | None:
    return BY_MODEL.get(model)


def is_modelled(resource_type: str) -> bool:
    """Careweave has records of its own for this type (not only stored copies)."""
    return resource_type in MAPPINGS and not MAPPINGS[resource_type].stored


def is_served(resource_type: str) -> bool:
    """The API answers reads of this type (modelled, or stored and served read-only)."""
    return resource_type in MAPPINGS

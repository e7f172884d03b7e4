"""Actions on a person's informal network (C1/C2): recorded by whoever works with the person, audited."""

from __future__ import annotations

from django.utils.translation import gettext as _

from careweave.careplans.actions._common import atomic_action, audit_write, require_level
from careweave.careplans.errors import RuleViolation
from careweave.people.models import Person, RelatedPerson


@atomic_action
def add_to_network(
    actor,  # noqa: ANN001
    person: Person,
    *,
    given_name: str,
    family_name: str,
    relationship: str,
    phone: str = "",
    email: str = "",
) -> RelatedPerson:
    """Record someone from the person's informal network (a neighbour, a daughter, a buddy).

    Recording a name gives no access by itself: access follows team membership, which the person
    decides (:func:`careweave.careplans.actions.add_team_member`). Representation and proxy access
    are legal matters and are not set here.
    """
    require_level(actor, person)
    given_name, family_name = (given_name or "").strip(), (family_name or "").strip()
    if not given_name or not family_name:
        raise RuleViolation("network_name", _("Fill in the given name and family name."))
    if relationship not in RelatedPerson.Relationship.values:
        raise RuleViolation("network_relationship", _("Choose how this person is related."))
    related = RelatedPerson.objects.create(
        person=person,
        given_name=given_name,
        family_name=family_name,
        relationship=relationship,
        phone=(phone or "").strip(),
        email=(email or "").strip(),
        is_informal_carer=True,
    )
    audit_write(actor, "create", "RelatedPerson", related, person)
    return related

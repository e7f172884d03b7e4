"""Actions on a person's informal network (C1/C2) and on the directory of professionals; audited.

Who is in the network, who may act for the person, and the entries other systems send through the
FHIR API (Practitioner, Organization, PractitionerRole, RelatedPerson): recorded and changed here,
never by the door itself (issue 17).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.decisions import decide
from careweave.access.permissions import authorize, check
from careweave.careplans.actions._common import atomic_action, audit_write
from careweave.careplans.errors import DuplicateRecord, RuleViolation
from careweave.people.models import Organisation, Person, PractitionerRole, Professional, RelatedPerson


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
    are the person's own decision, taken with the actions below (:func:`grant_proxy_access`,
    :func:`appoint_representative`), never as a side effect of recording a name.
    """
    authorize(actor, "people.add_to_network", person)
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


# --- who acts for the person: proxy access and the appointed representative (C2/C5) -------------
#
# Both open the whole file (``decide()`` gives basis "proxy", full access), so they are the
# person's own decision. Belgian patient-rights law (wet patiëntenrechten / loi relative aux droits
# du patient, 22 August 2002, art. 14 §1) lets the person appoint a representative by a signed and
# dated written mandate; the person or the representative may withdraw it at any time. Proxy
# access is Careweave's own, lighter arrangement: a trusted person who may use the app on the
# person's behalf. Rules and codes: docs/domain.md, "Who acts for the person".

SELF = "self"
REPRESENTATIVE = "representative"
PROXY = "proxy"

# Refusals because of *who* asks: recorded as refused attempts the person sees in their audit trail.
_WHO_RULES = {"proxy_by_person", "proxy_for_yourself", "representative_by_person", "representation_end_by"}


def standing(actor, person: Person) -> str:  # noqa: ANN001
    """How the actor stands towards the person: "self", "representative", "proxy" or "" (anyone else).

    Derived from :func:`~careweave.access.decisions.decide` so the two can never disagree (an
    inactive login or an inactive network member has no standing).
    """
    basis = decide(actor, person).basis
    if basis == "self":
        return SELF
    if basis != "proxy":
        return ""
    representing = person.network.filter(user=actor, active=True, is_representative=True).exists()
    return REPRESENTATIVE if representing else PROXY


def is_person_or_representative(actor, person: Person) -> bool:  # noqa: ANN001
    """The person themselves or their active representative: those who decide who acts for the person.

    Narrower than :func:`~careweave.careplans.actions._common.speaks_for_person`: someone with proxy
    access uses Careweave for the person but does not hand out access to others.
    """
    return standing(actor, person) in (SELF, REPRESENTATIVE)


def _is_own_record(actor, related: RelatedPerson) -> bool:  # noqa: ANN001
    return related.user_id is not None and getattr(actor, "pk", None) == related.user_id


def _deceased(person: Person) -> RuleViolation:
    return RuleViolation(
        "person_deceased",
        _("%(person)s has died: nobody can be given proxy access or appointed as representative any more.")
        % {"person": person},
    )


def _cannot_act_for(related: RelatedPerson) -> RuleViolation | None:
    """Nobody new acts for a person who has died, nor does a network member who is no longer active."""
    person = related.person
    if person.deceased_on:
        return _deceased(person)
    if not related.active:
        return RuleViolation(
            "network_inactive",
            _("%(name)s is no longer active in the informal network and cannot act for %(person)s.")
            % {"name": related, "person": person},
        )
    return None


def _who_refusal(actor, name: str, related: RelatedPerson) -> RuleViolation | None:  # noqa: ANN001
    """The table's answer on *who* may take this decision (not audited: for pages and the checks below)."""
    allowed, code, message = check(actor, name, related)
    return None if allowed else RuleViolation(code, message)


def grant_proxy_refusal(actor, related: RelatedPerson) -> RuleViolation | None:  # noqa: ANN001
    """Why ``actor`` may not give ``related`` proxy access now, or ``None`` when they may."""
    person = related.person
    if (refusal := _who_refusal(actor, "people.grant_proxy_access", related)) is not None:
        return refusal
    if _is_own_record(actor, related):
        return RuleViolation(
            "proxy_for_yourself",
            _("You cannot give yourself proxy access: %(person)s decides that.") % {"person": person},
        )
    if (refusal := _cannot_act_for(related)) is not None:
        return refusal
    if related.has_proxy_access:
        return RuleViolation("already_proxy", _("%(name)s already has proxy access.") % {"name": related})
    return None


def withdraw_proxy_refusal(actor, related: RelatedPerson) -> RuleViolation | None:  # noqa: ANN001
    """Why ``actor`` may not withdraw ``related``'s proxy access, or ``None`` when they may.

    Besides the person and their representative, the proxy may give up their own access.
    """
    if (refusal := _who_refusal(actor, "people.withdraw_proxy_access", related)) is not None:
        return refusal
    if not related.has_proxy_access:
        return RuleViolation("not_proxy", _("%(name)s has no proxy access.") % {"name": related})
    return None


def appoint_representative_refusal(
    actor,  # noqa: ANN001
    related: RelatedPerson,
    *,
    mandate_confirmed: bool,
) -> RuleViolation | None:
    """Why ``actor`` may not appoint ``related`` as representative, or ``None`` when they may."""
    if (refusal := _who_refusal(actor, "people.appoint_representative", related)) is not None:
        return refusal
    if (refusal := _cannot_act_for(related)) is not None:
        return refusal
    if related.is_representative:
        return RuleViolation(
            "already_representative", _("%(name)s is already your representative.") % {"name": related}
        )
    if mandate_confirmed is not True:
        return RuleViolation(
            "mandate_required",
            _(
                "A representative is appointed by a written mandate that you and %(name)s sign and date. "
                "Confirm that this mandate has been signed."
            )
            % {"name": related},
        )
    return None


def end_representation_refusal(actor, related: RelatedPerson) -> RuleViolation | None:  # noqa: ANN001
    """Why ``actor`` may not end ``related``'s representation, or ``None`` when they may.

    The person withdraws the mandate, or the representative steps down; nobody else.
    """
    if (refusal := _who_refusal(actor, "people.end_representation", related)) is not None:
        return refusal
    if not related.is_representative:
        return RuleViolation("not_representative", _("%(name)s is not a representative.") % {"name": related})
    return None


def _refuse(actor, related: RelatedPerson, refusal: RuleViolation | None) -> None:  # noqa: ANN001
    """Raise the refusal; one about *who* asks stays in the person's audit trail as a refused attempt."""
    if refusal is None:
        return
    if refusal.rule in _WHO_RULES:
        refusal.denied_audit = record_access(
            actor,
            "update",
            "RelatedPerson",
            str(related.fhir_id),
            person=related.person,
            outcome="denied",
            reason=refusal.text,
            basis=decide(actor, related.person).basis,
        )
    raise refusal


def _audit(actor, related: RelatedPerson, basis: str, reason: str) -> None:  # noqa: ANN001
    """Audit with the basis the actor had *before* the change (stepping down removes it)."""
    record_access(
        actor, "update", "RelatedPerson", str(related.fhir_id), person=related.person, reason=reason, basis=basis
    )


@atomic_action
def grant_proxy_access(actor, related: RelatedPerson, *, expected_version: int | None = None) -> RelatedPerson:  # noqa: ANN001
    """The person (or their representative) lets someone close use Careweave on their behalf.

    Proxy access opens the whole file, so granting it twice is refused (``already_proxy``) rather
    than silently repeated: the person learns it was already in place.
    """
    basis = authorize(actor, "people.grant_proxy_access", related).basis
    _refuse(actor, related, grant_proxy_refusal(actor, related))
    related.has_proxy_access = True
    related.save_versioned(expected_version, update_fields=["has_proxy_access"])
    _audit(actor, related, basis, f"grant proxy access to {related}")
    return related


@atomic_action
def withdraw_proxy_access(actor, related: RelatedPerson, *, expected_version: int | None = None) -> RelatedPerson:  # noqa: ANN001
    """The person (or their representative) withdraws proxy access; the proxy may also give it up."""
    basis = authorize(actor, "people.withdraw_proxy_access", related).basis
    _refuse(actor, related, withdraw_proxy_refusal(actor, related))
    related.has_proxy_access = False
    related.save_versioned(expected_version, update_fields=["has_proxy_access"])
    _audit(actor, related, basis, f"withdraw proxy access of {related}")
    return related


@atomic_action
def appoint_representative(
    actor,  # noqa: ANN001
    related: RelatedPerson,
    *,
    mandate_confirmed: bool,
    expected_version: int | None = None,
) -> RelatedPerson:
    """The person appoints a representative by a signed, dated written mandate (art. 14 §1).

    Only the person themselves: a mandate cannot be given by someone acting in their name. One
    representative at a time: appointing a new one ends the previous representation (audited),
    so there is never doubt about who speaks for the person.
    """
    basis = authorize(actor, "people.appoint_representative", related).basis
    _refuse(actor, related, appoint_representative_refusal(actor, related, mandate_confirmed=mandate_confirmed))
    for previous in related.person.network.filter(is_representative=True).exclude(pk=related.pk):
        previous.is_representative = False
        previous.save_versioned(update_fields=["is_representative"])
        _audit(actor, previous, basis, f"end representation of {previous}: {related} appointed instead")
    related.is_representative = True
    related.save_versioned(expected_version, update_fields=["is_representative"])
    _audit(actor, related, basis, f"appoint {related} as representative; signed and dated written mandate confirmed")
    return related


@atomic_action
def end_representation(actor, related: RelatedPerson, *, expected_version: int | None = None) -> RelatedPerson:  # noqa: ANN001
    """The person withdraws the mandate, or the representative steps down (art. 14 §1).

    Proxy access, if any, is a separate choice and stays until it is withdrawn.
    """
    basis = authorize(actor, "people.end_representation", related).basis
    stepping_down = _is_own_record(actor, related)
    _refuse(actor, related, end_representation_refusal(actor, related))
    related.is_representative = False
    related.save_versioned(expected_version, update_fields=["is_representative"])
    who = "the representative stepped down" if stepping_down else "the person withdrew the mandate"
    _audit(actor, related, basis, f"end representation of {related}: {who}")
    return related


# --- the directory: professionals, organisations and their roles, as other systems send them -----------


def _checked(obj: models.Model, exclude: list[str]) -> None:
    """Each field as the model allows it; uniqueness is the database's (a concurrent create may win)."""
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _audit_directory(actor, action: str, resource_type: str, obj: models.Model) -> None:  # noqa: ANN001
    """A directory entry is on nobody's file: audited without a person."""
    record_access(actor, action, resource_type, str(obj.fhir_id))


def _apply(obj: models.Model, changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        setattr(obj, key, value)


_PROFESSIONAL_UNCHECKED = ["user", "organisation", "zone"]


@atomic_action
def record_professional(actor, values: Mapping[str, Any], *, external_id: str = "") -> Professional:  # noqa: ANN001
    """Add a colleague to the directory (a GP's system sending a Practitioner); one entry per NIHDI number."""
    authorize(actor, "people.record_professional")
    nihdi = values.get("nihdi")
    if nihdi and Professional.objects.filter(nihdi=nihdi).exists():
        raise DuplicateRecord("duplicate_nihdi", _("A professional with this NIHDI number is already registered."))
    if external_id and Professional.objects.filter(external_id=external_id).exists():
        raise DuplicateRecord("duplicate_identifier",
                              _("A professional with this identifier is already registered."))
    professional = Professional(**values, external_id=external_id)
    _checked(professional, _PROFESSIONAL_UNCHECKED)
    professional.save()
    _audit_directory(actor, "create", "Practitioner", professional)
    return professional


@atomic_action
def update_professional(actor, professional: Professional, changes: Mapping[str, Any],  # noqa: ANN001
                        expected_version: int) -> Professional:
    """The professional keeps their own entry (an administrator may correct it)."""
    authorize(actor, "people.update_professional", professional)
    _apply(professional, changes)
    _checked(professional, _PROFESSIONAL_UNCHECKED)
    professional.save_versioned(expected_version)
    _audit_directory(actor, "update", "Practitioner", professional)
    return professional


@atomic_action
def record_organisation(actor, values: Mapping[str, Any], *, external_id: str = "") -> Organisation:  # noqa: ANN001
    """Add an organisation (a practice, a hospital, a mutuality) to the directory; one per KBO number."""
    authorize(actor, "people.record_organisation")
    duplicate = models.Q(external_id=external_id) if external_id else models.Q()
    if values.get("kbo"):
        duplicate |= models.Q(kbo=values["kbo"])
    if duplicate and Organisation.objects.filter(duplicate).exists():
        raise DuplicateRecord("duplicate_identifier", _("This organisation is already registered."))
    organisation = Organisation(**values, external_id=external_id)
    _checked(organisation, [])
    organisation.save()
    _audit_directory(actor, "create", "Organization", organisation)
    return organisation


@atomic_action
def update_organisation(actor, organisation: Organisation, changes: Mapping[str, Any],  # noqa: ANN001
                        expected_version: int) -> Organisation:
    """Those who work for the organisation keep its entry (an administrator may correct it)."""
    authorize(actor, "people.update_organisation", organisation)
    _apply(organisation, changes)
    _checked(organisation, [])
    organisation.save_versioned(expected_version)
    _audit_directory(actor, "update", "Organization", organisation)
    return organisation


@atomic_action
def record_practitioner_role(
    actor,  # noqa: ANN001
    professional: Professional,
    *,
    discipline: str,
    organisation: Organisation | None = None,
    active: bool = True,
) -> PractitionerRole:
    """A role the professional holds (a discipline, at an organisation): theirs to declare."""
    authorize(actor, "people.record_practitioner_role", professional)
    role = PractitionerRole.objects.create(professional=professional, organisation=organisation,
                                           discipline=discipline, active=active)
    _audit_directory(actor, "create", "PractitionerRole", role)
    return role


@atomic_action
def update_practitioner_role(actor, role: PractitionerRole, changes: Mapping[str, Any],  # noqa: ANN001
                             expected_version: int) -> PractitionerRole:
    """Change a role; moving it to another professional needs the right to record it for them too."""
    authorize(actor, "people.update_practitioner_role", role)
    if "professional" in changes and changes["professional"] != role.professional:
        authorize(actor, "people.record_practitioner_role", changes["professional"])
    _apply(role, changes)
    role.save_versioned(expected_version)
    _audit_directory(actor, "update", "PractitionerRole", role)
    return role


# --- someone of the person's network, as another system sends them ---------------------------------------

_RELATED_UNCHECKED = ["user"]
#: Who acts for the person is never a plain field: it changes through the person's own actions above.
ACTING_FIELDS = frozenset({"has_proxy_access", "is_representative", "mandate_confirmed"})


def _plain(values: Mapping[str, Any]) -> dict[str, Any]:
    if ACTING_FIELDS & values.keys():
        raise RuleViolation("acting_field", _("Proxy access and representation are given by the person, "
                                              "not recorded with the name."))
    return dict(values)


@atomic_action
def record_related_person(actor, person: Person, values: Mapping[str, Any]) -> RelatedPerson:  # noqa: ANN001
    """Record someone of the person's network with what the sender says (informal carer or not, active).

    Like :func:`add_to_network`: a name gives no access; proxy access and representation are the
    person's decisions (:func:`grant_proxy_access`, :func:`appoint_representative`).
    """
    authorize(actor, "people.record_related_person", person)
    related = RelatedPerson(person=person, **_plain(values))
    _checked(related, _RELATED_UNCHECKED)
    related.save()
    audit_write(actor, "create", "RelatedPerson", related, person)
    return related


@atomic_action
def update_related_person(actor, related: RelatedPerson, changes: Mapping[str, Any],  # noqa: ANN001
                          expected_version: int) -> RelatedPerson:
    """Change the name, contact details or relationship of someone of the network (not who acts for the person)."""
    authorize(actor, "people.update_related_person", related)
    _apply(related, _plain(changes))
    _checked(related, _RELATED_UNCHECKED)
    related.save_versioned(expected_version)
    audit_write(actor, "update", "RelatedPerson", related, related.person,
                reason="network details: " + ", ".join(sorted(changes)))
    return related

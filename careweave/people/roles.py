"""Roles as stored codes, shown in the reader's language (issue 11.4).

The audit trail ("who looked") and the contact point's requests say in what role someone acted.
They store a code, never a label in the language of the moment: a French GP's read must show as
"huisarts" to a Dutch-speaking person and as "general practitioner" to an English reader.

Codes: ``person``, ``representative``, ``informal_carer``, ``professional``, ``staff``,
``discipline:<Discipline>``, ``relationship:<RelatedPerson.Relationship>``. Anything else is a
role someone typed in the team ("reference nurse"): shown as typed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from careweave.people.models import Discipline, RelatedPerson

PLAIN = {
    "person": gettext_lazy("the person"),
    "representative": gettext_lazy("the representative"),
    "informal_carer": gettext_lazy("informal carer"),
    "professional": gettext_lazy("professional"),
    "staff": gettext_lazy("platform staff"),
}


def discipline_code(discipline: str) -> str:
    return f"discipline:{discipline}"


def relationship_code(relationship: str) -> str:
    return f"relationship:{relationship}"


def member_role_code(member) -> str:  # noqa: ANN001 - a careplans TeamMember
    """A team member's role: the role typed for them, else their discipline or relationship code."""
    if member.role:
        return member.role
    if member.professional_id:
        return discipline_code(member.professional.discipline)
    return relationship_code(member.related_person.relationship)


def role_label(code: str) -> str:
    """The role in the active language; an unknown code (a typed role) as it was typed."""
    if not code:
        return ""
    if code in PLAIN:
        return str(PLAIN[code])
    kind, _sep, value = code.partition(":")
    if kind == "discipline" and value in Discipline.values:
        return str(Discipline(value).label)
    if kind == "relationship" and value in RelatedPerson.Relationship.values:
        return str(RelatedPerson.Relationship(value).label)
    return code


def codes_by_label(languages: list[str]) -> dict[str, str]:
    """Every label of every code in the given languages, for data migrations of stored labels."""
    from django.utils import translation

    labels: dict[str, str] = {}
    for language in languages:
        with translation.override(language):
            for code, label in PLAIN.items():
                labels.setdefault(str(label), code)
            for value, label in Discipline.choices:
                labels.setdefault(str(label), discipline_code(value))
            for value, label in RelatedPerson.Relationship.choices:
                labels.setdefault(str(label), relationship_code(value))
    return labels

"""Each person's zone pseudonym, stored and indexed so that a pseudonymous list leads back to a person.

Why a table: a population list carries ``person_id`` pseudonyms (``population.pseudonyms.pseudonym_id``,
an HMAC of the SSIN with the zone's secret). Computing them for every person at every read would be
slow and would spread the secret's use; the table is refreshed in bulk when a list is resolved
(``refresh_zone``) and looked up by an index. The pseudonym is never shown, not even at micro level.
"""

from __future__ import annotations

from collections.abc import Iterable

from careweave.people.models import Person, PersonPseudonym


def refresh_zone(zone_code: str) -> int:
    """Store (or correct) the pseudonym of every person of the zone who has an SSIN; how many changed."""
    from careweave.population.pseudonyms import pseudonym_id

    stored = dict(PersonPseudonym.objects.filter(zone_code=zone_code).values_list("person_id", "pseudonym"))
    new, changed = [], []
    for pk, ssin in Person.objects.filter(zone__code=zone_code).exclude(ssin=None).exclude(ssin="") \
            .values_list("pk", "ssin"):
        value = pseudonym_id(ssin, zone_code)
        if pk not in stored:
            new.append(PersonPseudonym(person_id=pk, zone_code=zone_code, pseudonym=value))
        elif stored[pk] != value:
            changed.append(pk)
            PersonPseudonym.objects.filter(person_id=pk, zone_code=zone_code).update(pseudonym=value)
    PersonPseudonym.objects.bulk_create(new, batch_size=500)
    return len(new) + len(changed)


def persons_for(zone_code: str, pseudonyms: Iterable[int]) -> dict[int, int]:
    """Pseudonym -> person id for those of ``pseudonyms`` that are persons Careweave holds in the zone."""
    wanted = [int(p) for p in pseudonyms]
    found: dict[int, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update(PersonPseudonym.objects.filter(zone_code=zone_code, pseudonym__in=chunk)
                     .values_list("pseudonym", "person_id"))
    return found

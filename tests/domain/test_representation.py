"""C2/C5: the person decides who acts for them — proxy access and the appointed representative.

Rules and sources: docs/domain.md, "Who acts for the person". Every refusal changes nothing; a
refusal because of *who* asks stays in the person's audit trail.
"""

from __future__ import annotations

from datetime import date

import pytest
from domain_helpers import refused

from careweave.access.decisions import decide
from careweave.access.models import AuditEvent, Level
from careweave.careplans.actions import add_team_member
from careweave.careplans.actions._common import speaks_for_person
from careweave.careplans.models import TeamMember
from careweave.people.actions import (
    appoint_representative,
    end_representation,
    grant_proxy_access,
    is_person_or_representative,
    standing,
    withdraw_proxy_access,
)
from careweave.people.models import RelatedPerson
from careweave.versioning import ChangedMeanwhile

pytestmark = pytest.mark.django_db


@pytest.fixture
def daughter(make_related, person) -> RelatedPerson:  # noqa: ANN001
    """Someone close, recorded in the network, with a login but no standing yet."""
    return make_related(person, given="Lies")


@pytest.fixture
def proxy(make_related, person) -> RelatedPerson:  # noqa: ANN001
    """A trusted neighbour with proxy access, who is not a representative."""
    return make_related(person, RelatedPerson.Relationship.NEIGHBOUR, given="Paul", has_proxy_access=True)


def _writes(related: RelatedPerson, outcome: str = "success") -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            resource_type="RelatedPerson", resource_id=str(related.fhir_id), outcome=outcome
        ).order_by("pk")
    )


def _unchanged(related: RelatedPerson) -> None:
    """The refusal left the record exactly as it was."""
    before = (related.has_proxy_access, related.is_representative, related.version)
    related.refresh_from_db()
    assert (related.has_proxy_access, related.is_representative, related.version) == before
    assert not _writes(related), "a refused change writes no successful audit event"


# --- proxy access ----------------------------------------------------------------------------------


def test_the_person_grants_proxy_access_which_opens_the_file_on_basis_proxy(person, daughter):
    assert decide(daughter.user, person).level == Level.NONE
    grant_proxy_access(person.user, daughter)
    daughter.refresh_from_db()
    assert daughter.has_proxy_access and daughter.version == 2
    decision = decide(daughter.user, person)
    assert (decision.level, decision.basis) == (Level.FULL, "proxy")
    [event] = _writes(daughter)
    assert (event.user, event.action, event.basis) == (person.user, "U", "self")
    assert "grant proxy access" in event.reason


def test_withdrawing_proxy_access_closes_the_file_again(person, daughter):
    grant_proxy_access(person.user, daughter)
    withdraw_proxy_access(person.user, daughter)
    daughter.refresh_from_db()
    assert not daughter.has_proxy_access
    decision = decide(daughter.user, person)
    assert (decision.level, decision.basis) == (Level.NONE, "none")
    assert [e.reason.split(" ")[0] for e in _writes(daughter)] == ["grant", "withdraw"]


def test_the_representative_may_grant_and_withdraw_proxy_access(person, representative, daughter):
    grant_proxy_access(representative.user, daughter)
    assert decide(daughter.user, person).basis == "proxy"
    withdraw_proxy_access(representative.user, daughter)
    assert decide(daughter.user, person).level == Level.NONE
    assert {e.basis for e in _writes(daughter)} == {"proxy"}


@pytest.mark.parametrize("who", ["gp", "carer", "outsider", "proxy", "zone_staff", "case_manager"])
def test_nobody_else_grants_proxy_access_and_the_attempt_is_on_record(request, person, members, daughter, who):
    actor = request.getfixturevalue(who)
    user = getattr(actor, "user", actor)
    error = refused(grant_proxy_access, user, daughter)
    assert error.rule == "proxy_by_person"
    _unchanged(daughter)
    [attempt] = _writes(daughter, "denied")
    assert attempt.user == user and attempt.person == person
    assert decide(daughter.user, person).level == Level.NONE


@pytest.mark.parametrize("who", ["gp", "carer", "outsider"])
def test_nobody_else_withdraws_proxy_access(request, person, members, proxy, who):
    error = refused(withdraw_proxy_access, request.getfixturevalue(who).user, proxy)
    assert error.rule == "proxy_by_person"
    _unchanged(proxy)
    assert decide(proxy.user, person).basis == "proxy"


def test_a_proxy_does_not_hand_out_or_take_away_access_of_others(person, proxy, daughter, make_related):
    other = make_related(person, given="Tom", has_proxy_access=True)
    assert refused(grant_proxy_access, proxy.user, daughter).rule == "proxy_by_person"
    assert refused(withdraw_proxy_access, proxy.user, other).rule == "proxy_by_person"
    _unchanged(daughter)
    _unchanged(other)


def test_a_proxy_may_give_up_their_own_proxy_access(person, proxy):
    withdraw_proxy_access(proxy.user, proxy)
    proxy.refresh_from_db()
    assert not proxy.has_proxy_access
    assert decide(proxy.user, person).level == Level.NONE
    [event] = _writes(proxy)
    assert event.basis == "proxy", "audited with the standing the proxy had when they acted"


def test_an_inactive_network_member_cannot_get_proxy_access(person, daughter):
    daughter.active = False
    daughter.save()
    daughter.refresh_from_db()
    assert refused(grant_proxy_access, person.user, daughter).rule == "network_inactive"
    _unchanged(daughter)


def test_granting_twice_is_a_clear_error_not_a_second_change(person, daughter):
    grant_proxy_access(person.user, daughter)
    error = refused(grant_proxy_access, person.user, daughter)
    assert error.rule == "already_proxy" and "Lies" in str(error)
    daughter.refresh_from_db()
    assert daughter.version == 2 and len(_writes(daughter)) == 1


def test_withdrawing_what_was_never_granted_is_a_clear_error(person, daughter):
    assert refused(withdraw_proxy_access, person.user, daughter).rule == "not_proxy"
    _unchanged(daughter)


def test_a_representative_cannot_give_themselves_proxy_access(person, make_related):
    representative = make_related(person, is_representative=True)
    assert refused(grant_proxy_access, representative.user, representative).rule == "proxy_for_yourself"
    _unchanged(representative)


def test_proxy_access_for_someone_without_a_login_waits_for_one(person, make_related):
    """Allowed (the person decides about a named person); it acts only once a login is linked."""
    no_login = make_related(person, with_user=False)
    grant_proxy_access(person.user, no_login)
    no_login.refresh_from_db()
    assert no_login.has_proxy_access


def test_a_stale_version_is_refused_and_nothing_changes(person, daughter):
    stale = daughter.version
    RelatedPerson.objects.get(pk=daughter.pk).save_versioned(update_fields=["phone"])
    with pytest.raises(ChangedMeanwhile):
        grant_proxy_access(person.user, daughter, expected_version=stale)
    daughter.refresh_from_db()
    assert not daughter.has_proxy_access and not _writes(daughter)


# --- the appointed representative (art. 14 §1) --------------------------------------------------


def test_the_person_appoints_a_representative_by_a_signed_mandate(person, team, gp, daughter):
    assert not is_person_or_representative(daughter.user, person)
    assert refused(add_team_member, daughter.user, team, professional=gp).rule == "no_access"
    appoint_representative(person.user, daughter, mandate_confirmed=True)
    daughter.refresh_from_db()
    assert daughter.is_representative and not daughter.has_proxy_access
    assert decide(daughter.user, person).basis == "proxy"
    assert standing(daughter.user, person) == "representative"
    assert is_person_or_representative(daughter.user, person) and speaks_for_person(daughter.user, person)
    member = add_team_member(daughter.user, team, professional=gp)
    assert member.status == TeamMember.Status.ACTIVE, "the representative decides team matters: no agreement needed"
    [event] = _writes(daughter)
    assert event.basis == "self" and "mandate confirmed" in event.reason


@pytest.mark.parametrize("mandate", [False, None, "yes"])
def test_without_a_confirmed_signed_mandate_nobody_is_appointed(person, daughter, mandate):
    error = refused(appoint_representative, person.user, daughter, mandate_confirmed=mandate)
    assert error.rule == "mandate_required"
    assert daughter.given_name in str(error), "the message names the representative-to-be"
    _unchanged(daughter)


@pytest.mark.parametrize("who", ["representative", "proxy", "gp", "carer", "outsider"])
def test_only_the_person_themselves_appoints_a_representative(request, person, members, daughter, who):
    user = request.getfixturevalue(who).user
    error = refused(appoint_representative, user, daughter, mandate_confirmed=True)
    assert error.rule == "representative_by_person" and "art. 14" in str(error)
    _unchanged(daughter)
    assert _writes(daughter, "denied")


def test_one_representative_at_a_time_a_new_appointment_ends_the_previous(person, representative, daughter):
    appoint_representative(person.user, daughter, mandate_confirmed=True)
    representative.refresh_from_db()
    daughter.refresh_from_db()
    assert daughter.is_representative and not representative.is_representative
    assert representative.has_proxy_access, "proxy access is a separate choice and stays"
    assert RelatedPerson.objects.filter(person=person, is_representative=True).count() == 1
    [ended] = _writes(representative)
    assert "appointed instead" in ended.reason


def test_an_inactive_member_or_the_current_representative_is_not_appointed_again(person, representative, daughter):
    assert refused(appoint_representative, person.user, representative, mandate_confirmed=True).rule == (
        "already_representative"
    )
    daughter.active = False
    daughter.save()
    daughter.refresh_from_db()
    assert refused(appoint_representative, person.user, daughter, mandate_confirmed=True).rule == "network_inactive"
    _unchanged(daughter)


def test_the_person_withdraws_the_mandate(person, daughter):
    appoint_representative(person.user, daughter, mandate_confirmed=True)
    end_representation(person.user, daughter)
    daughter.refresh_from_db()
    assert not daughter.is_representative
    assert decide(daughter.user, person).level == Level.NONE
    assert "withdrew the mandate" in _writes(daughter)[-1].reason


def test_the_representative_steps_down(person, make_related):
    representative = make_related(person, is_representative=True)
    end_representation(representative.user, representative)
    representative.refresh_from_db()
    assert not representative.is_representative
    assert decide(representative.user, person).level == Level.NONE
    [event] = _writes(representative)
    assert event.basis == "proxy" and "stepped down" in event.reason


@pytest.mark.parametrize("who", ["proxy", "gp", "outsider"])
def test_nobody_else_ends_a_representation(request, person, members, representative, proxy, who):
    error = refused(end_representation, request.getfixturevalue(who).user, representative)
    assert error.rule == "representation_end_by"
    _unchanged(representative)


def test_a_representative_cannot_end_another_representation(person, make_related):
    first = make_related(person, is_representative=True)
    second = make_related(person, is_representative=True)  # e.g. recorded through an import
    assert refused(end_representation, first.user, second).rule == "representation_end_by"
    _unchanged(second)


def test_ending_what_is_not_a_representation_is_a_clear_error(person, daughter):
    assert refused(end_representation, person.user, daughter).rule == "not_representative"
    _unchanged(daughter)


def test_withdrawing_proxy_access_leaves_the_representation(person, representative):
    withdraw_proxy_access(person.user, representative)
    assert decide(representative.user, person).basis == "proxy", "still represents the person"


# --- after death --------------------------------------------------------------------------------


def test_after_death_nobody_new_acts_for_the_person_but_existing_roles_can_end(person, representative, daughter):
    person.deceased_on = date(2026, 1, 5)
    person.save()
    assert refused(grant_proxy_access, person.user, daughter).rule == "person_deceased"
    assert refused(appoint_representative, person.user, daughter, mandate_confirmed=True).rule == "person_deceased"
    _unchanged(daughter)
    withdraw_proxy_access(representative.user, representative)
    end_representation(representative.user, representative)
    representative.refresh_from_db()
    assert not representative.has_proxy_access and not representative.is_representative

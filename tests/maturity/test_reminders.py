"""Reminder mails to non-responders (C13-R11): who gets one, in which language, never twice a day, never a 500."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from careweave.access.models import AuditEvent
from careweave.careplans.errors import RuleViolation
from careweave.maturity import actions
from careweave.maturity.dimensions import by_code, codes
from careweave.maturity.mail import reminder_language
from careweave.maturity.models import MaturityRound, Participant, ParticipantReminder
from careweave.people.models import Discipline, Professional
from careweave.territory.models import Zone
from careweave.web.models import UserPreference

from .conftest import fill

pytestmark = pytest.mark.django_db
C = codes()


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages) -> int:  # noqa: ANN001
        raise SMTPException("451 try again later")


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def with_email(participant: Participant, address: str | None = None) -> Participant:
    participant.user.email = address or f"{participant.user.username}@example.org"
    participant.user.save(update_fields=["email"])
    return participant


def remind(client: Client, round_: MaturityRound, participant: Participant | None = None):  # noqa: ANN201
    if participant is None:
        url = reverse("maturity:remind", args=[round_.pk])
    else:
        url = reverse("maturity:remind_participant", args=[round_.pk, participant.pk])
    return client.post(url, follow=True)


def shown(response) -> str:  # noqa: ANN001
    return " ".join(str(m) for m in response.context["messages"])


def test_reminders_go_to_those_who_have_not_submitted_in_their_language_with_the_link(round_, staff, invite) -> None:  # noqa: ANN001
    french = with_email(invite("an"))
    UserPreference.objects.create(user=french.user, language="fr")
    for code in C[:2]:
        actions.save_score(french.user, french, code, 3, "Parce que")
    done = with_email(invite("bert"))
    fill(done, [2] * 12)
    invite("carla")  # no e-mail address anywhere
    dutch = invite("dirk")  # only the professional record has an address; Flemish zone, no preference
    Professional.objects.create(user=dutch.user, given_name="Dirk", family_name="Peeters",
                                discipline=Discipline.GP, email="dirk@huisarts.example")

    page = client_for(staff).get(reverse("maturity:round", args=[round_.pk])).content.decode()
    assert "Remind those who have not submitted (3)" in page
    response = remind(client_for(staff), round_)

    assert sorted(m.to[0] for m in mail.outbox) == ["an@example.org", "dirk@huisarts.example"]
    link = "http://testserver" + reverse("maturity:score", args=[round_.pk])
    to_french = next(m for m in mail.outbox if m.to == ["an@example.org"])
    assert link in to_french.body and "2 " in to_french.body and " 12 " in to_french.body
    assert f"3. {by_code(C[2]).names['fr']}" in to_french.body  # what is missing, in French
    assert by_code(C[0]).names["fr"] not in to_french.body  # complete: not listed
    assert "ELZ Maturiteit" in to_french.subject + to_french.body
    to_dutch = next(m for m in mail.outbox if m.to == ["dirk@huisarts.example"])
    assert f"1. {by_code(C[0]).names['nl']}" in to_dutch.body and link in to_dutch.body
    languages = {r.participant_id: r.language for r in ParticipantReminder.objects.all()}
    assert languages == {french.pk: "fr", dutch.pk: "nl"}
    assert AuditEvent.objects.filter(user=staff, resource_type="MaturityReminder").count() == 2

    text = shown(response)
    assert "Reminder sent to:" in text and "carla" in text and "no e-mail address" in text
    page = response.content.decode()
    assert page.count("reminded on ") == 2 and "(1×)" in page and 'data-test="no-address"' in page


def test_the_language_is_the_participants_else_the_zones_else_the_organisers(zone, staff, invite) -> None:  # noqa: ANN001
    p = invite("an")
    assert reminder_language(p, "de") == "nl"  # Flemish zone
    zone.region = Zone.Region.WALLONIA
    zone.save()
    p = Participant.objects.select_related("round__zone").get(pk=p.pk)
    assert reminder_language(p, "de") == "fr"
    zone.region = Zone.Region.BRUSSELS  # two languages: the organiser's
    zone.save()
    p = Participant.objects.select_related("round__zone").get(pk=p.pk)
    assert reminder_language(p, "de") == "de"
    UserPreference.objects.create(user=p.user, language="en")
    assert reminder_language(p, "de") == "en"


def test_one_participant_can_be_reminded_but_not_twice_within_24_hours(round_, staff, invite) -> None:  # noqa: ANN001
    an, bert = with_email(invite("an")), with_email(invite("bert"))
    client = client_for(staff)
    remind(client, round_, an)
    assert [m.to for m in mail.outbox] == [["an@example.org"]]
    response = remind(client, round_, an)  # the double click
    assert len(mail.outbox) == 1 and "less than 24 hours" in shown(response)
    response = remind(client, round_)  # everyone: an is skipped, bert gets one
    assert [m.to for m in mail.outbox][1:] == [["bert@example.org"]]
    assert "Not sent again, reminded less than 24 hours ago: an" in shown(response)
    ParticipantReminder.objects.filter(participant=an).update(sent_at=an.reminders.get().sent_at - timedelta(hours=25))
    response = remind(client, round_, an)
    assert len(mail.outbox) == 3 and an.reminders.count() == 2
    assert "(2×)" in response.content.decode()
    assert bert.reminders.count() == 1


def test_a_submitted_participant_is_not_reminded_and_everybody_submitted_says_so(round_, staff, invite) -> None:  # noqa: ANN001
    p = with_email(invite("an"))
    fill(p, [1] * 12)
    response = remind(client_for(staff), round_, p)
    assert "Already submitted" in shown(response)
    response = remind(client_for(staff), round_)
    assert "nobody to remind" in shown(response)
    assert b'data-test="remind-all"' not in response.content and b'data-test="remind-one"' not in response.content
    assert not mail.outbox and not ParticipantReminder.objects.exists()


def test_participants_and_outsiders_cannot_send_reminders(round_, outsider, invite) -> None:  # noqa: ANN001
    p, other = with_email(invite("an")), with_email(invite("bert"))
    for user, status in ((p.user, 403), (outsider, 404)):  # as on every staff page: outsiders do not learn of it
        assert remind(client_for(user), round_).status_code == status
        assert remind(client_for(user), round_, other).status_code == status
    with pytest.raises(RuleViolation):
        actions.send_reminders(outsider, round_, "http://x/")
    with pytest.raises(RuleViolation):
        actions.send_reminders(p.user, round_, "http://x/", [other])
    assert not mail.outbox and not ParticipantReminder.objects.exists()


def test_a_closed_round_sends_no_reminders(round_, staff, invite) -> None:  # noqa: ANN001
    p = with_email(invite("an"))
    actions.close_round(staff, round_)
    response = remind(client_for(staff), round_, p)
    assert "reminders are only sent while it is open" in shown(response)
    assert b'data-test="remind-all"' not in response.content and b'data-test="remind-one"' not in response.content
    remind(client_for(staff), round_)
    assert not mail.outbox and not ParticipantReminder.objects.exists()


def test_a_participant_of_another_round_is_refused(zone, staff, round_, invite) -> None:  # noqa: ANN001
    p = with_email(invite("an"))
    later = actions.open_round(staff, zone, 2027)
    assert remind(client_for(staff), later, p).status_code == 404
    with pytest.raises(RuleViolation):
        actions.send_reminders(staff, later, "http://x/", [p])
    assert not mail.outbox


def test_a_failing_mail_server_is_reported_and_records_nothing(round_, staff, invite, settings) -> None:  # noqa: ANN001
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    an, bert = with_email(invite("an")), with_email(invite("bert"))
    response = remind(client_for(staff), round_)
    assert response.status_code == 200
    text = shown(response)
    assert "could not be sent to an, bert" in text and "Nothing was recorded" in text
    assert not ParticipantReminder.objects.exists()
    assert not AuditEvent.objects.filter(resource_type="MaturityReminder").exists()
    assert "reminded on" not in response.content.decode()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    remind(client_for(staff), round_, an)  # the server is back: not blocked by the failed attempt
    assert [m.to for m in mail.outbox] == [["an@example.org"]] and bert.reminders.count() == 0

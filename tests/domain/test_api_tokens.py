"""API tokens (#17.10): expiry, revocation by the owner, revocation on a password change or a
deactivation, the ``careweave token`` command. Pages are in tests/web, refusals in tests/fhir."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from careweave.access.actions import create_api_token, revoke_all_api_tokens, revoke_api_token
from careweave.access.models import ApiToken, AuditEvent
from careweave.careplans.errors import RuleViolation
from careweave.cli import main

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings) -> None:  # noqa: ANN001
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def gp(make_professional):  # noqa: ANN001, ANN201
    return make_professional(given="Griet")


def _usable(user) -> list[ApiToken]:  # noqa: ANN001
    return [t for t in ApiToken.objects.filter(user=user) if t.is_usable]


def test_a_new_token_is_hashed_expires_and_is_audited(gp):
    issued = create_api_token(gp.user, name="practice software", days=7)
    stored = ApiToken.objects.get()
    assert issued.secret.startswith("cw_") and issued.secret not in (stored.digest, stored.prefix)
    assert stored.digest == ApiToken.hash(issued.secret) and stored.name == "practice software"
    assert stored.expires_at - stored.created_at == timedelta(days=7)
    assert ApiToken.authenticate(issued.secret) == gp.user
    event = AuditEvent.objects.get(resource_type="Account", action="C")
    assert event.user == gp.user and "practice software" in event.reason and issued.secret not in event.reason
    assert event.person is None, "a professional's token is not on anyone's file"


def test_a_person_s_token_is_on_her_own_file(person):
    create_api_token(person.user, name="my app")
    assert AuditEvent.objects.get(resource_type="Account").person == person


def test_bad_input_is_refused_and_creates_nothing(gp, settings):
    for name, days in (("", None), ("x" * 101, None), ("ok", 0), ("ok", settings.API_TOKEN_MAX_DAYS + 1)):
        with pytest.raises(RuleViolation):
            create_api_token(gp.user, name=name, days=days)
    assert not ApiToken.objects.exists() and not AuditEvent.objects.exists()


def test_an_expired_token_no_longer_authenticates(gp):
    issued = create_api_token(gp.user, name="old")
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiToken.authenticate(issued.secret) is None


def test_only_the_owner_revokes_a_token(gp, make_professional):
    issued = create_api_token(gp.user, name="laptop")
    other = make_professional(given="Stranger")
    with pytest.raises(RuleViolation):
        revoke_api_token(other.user, issued.token)
    with pytest.raises(RuleViolation):
        revoke_all_api_tokens(other.user, gp.user)
    assert ApiToken.authenticate(issued.secret) == gp.user
    revoke_api_token(gp.user, issued.token)
    assert ApiToken.authenticate(issued.secret) is None
    assert ApiToken.objects.get().revoked_at is not None


def test_set_password_and_save_revokes_every_token(gp):
    first = create_api_token(gp.user, name="one").secret
    second = create_api_token(gp.user, name="two").secret
    gp.user.set_password("a completely new password")
    gp.user.save()
    assert ApiToken.authenticate(first) is None and ApiToken.authenticate(second) is None
    revocations = AuditEvent.objects.filter(resource_type="Account", action="U")
    assert revocations.count() == 2 and all("password changed" in e.reason for e in revocations)


def test_a_rehash_of_the_same_password_at_login_revokes_nothing(gp, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
    gp.user.password = make_password("same password", hasher="pbkdf2_sha1")
    gp.user.save()
    secret = create_api_token(gp.user, name="kept").secret
    assert gp.user.check_password("same password")  # upgrades the hash and saves it
    gp.user.refresh_from_db()
    assert gp.user.password.startswith("md5$")
    assert ApiToken.authenticate(secret) == gp.user


def test_deactivating_the_account_or_the_professional_revokes_the_tokens(gp, make_professional):
    secret = create_api_token(gp.user, name="one").secret
    gp.user.is_active = False
    gp.user.save()
    assert ApiToken.objects.get().revoked
    gp.user.is_active = True
    gp.user.save()
    assert ApiToken.authenticate(secret) is None, "reactivation does not bring a revoked token back"

    nurse = make_professional("nurse", given="Nora")
    secret = create_api_token(nurse.user, name="ward").secret
    nurse.active = False
    nurse.save_versioned()
    assert ApiToken.authenticate(secret) is None
    with pytest.raises(RuleViolation):
        create_api_token(nurse.user, name="again")


# --- careweave token -------------------------------------------------------------------------------


def test_cli_creates_a_token_with_days_and_a_name(gp, capsys):
    assert main(["token", gp.user.username, "--days", "30", "--name", "import job"]) == 0
    out = capsys.readouterr()
    secret = out.out.strip()
    token = ApiToken.objects.get()
    assert ApiToken.authenticate(secret) == gp.user and token.name == "import job"
    assert token.expires_at - token.created_at == timedelta(days=30)
    assert "Valid until" in out.err
    assert AuditEvent.objects.get(action="C").channel == "cli"


def test_cli_lists_without_secrets_and_revokes(gp, capsys):
    first = create_api_token(gp.user, name="one").secret
    second = create_api_token(gp.user, name="two")
    assert main(["token", "--list", gp.user.username]) == 0
    listing = capsys.readouterr().out
    assert "one" in listing and "two" in listing and first not in listing and "active" in listing
    assert main(["token", "--revoke-token", second.token.prefix]) == 0
    assert "Revoked" in capsys.readouterr().out
    assert ApiToken.authenticate(second.secret) is None and ApiToken.authenticate(first) == gp.user
    assert main(["token", "--revoke", gp.user.username]) == 0
    assert "Revoked 1 API token" in capsys.readouterr().out
    assert _usable(gp.user) == []
    assert main(["token", "--list", gp.user.username]) == 0
    assert capsys.readouterr().out.count("revoked") == 2


def test_cli_refuses_bad_input_with_a_message(gp, capsys):
    assert main(["token", "nobody"]) == 1
    assert "no user named" in capsys.readouterr().err
    assert main(["token", gp.user.username, "--days", "0"]) == 1
    assert "1 to" in capsys.readouterr().err
    assert main(["token", "--revoke-token", "cw_zzzzz"]) == 1
    assert "no active token" in capsys.readouterr().err
    assert not ApiToken.objects.exists()

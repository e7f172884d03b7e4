"""``careweave token``: create, list and revoke FHIR API bearer tokens from the server's shell.

Whoever runs the command on the server acts as the named user (like ``manage.py``, the shell is
trusted); the work is done by the actions in ``careweave.access.actions``, which check that a user
manages only their own tokens and audit every change.
"""

from __future__ import annotations

import argparse
import sys


def _user(username: str):  # noqa: ANN202
    from django.contrib.auth.models import User
    from django.utils.translation import gettext as _

    user = User.objects.filter(username=username).first()
    if user is None:
        print(_("careweave: no user named %(username)r") % {"username": username}, file=sys.stderr)
    return user


def _print_list(user) -> None:  # noqa: ANN001
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _

    from careweave.access.models import ApiToken

    def when(value) -> str:  # noqa: ANN001
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "-"

    for token in ApiToken.objects.filter(user=user):
        state = _("revoked") if token.revoked else _("expired") if token.is_expired else _("active")
        print(f"{token.prefix}…  {state:<9} {_('expires')} {when(token.expires_at)}  "
              f"{_('last used')} {when(token.last_used_at)}  {token.name}")


def _revoke_prefix(prefix: str, username: str | None) -> int:
    from django.utils.translation import gettext as _

    from careweave.access.actions import revoke_api_token
    from careweave.access.models import ApiToken

    tokens = ApiToken.objects.filter(prefix__startswith=prefix[:8], revoked=False).select_related("user")
    if username:
        tokens = tokens.filter(user__username=username)
    found = list(tokens[:2])
    if len(prefix) < 5 or len(found) != 1:
        message = (_("careweave: no active token starts with %(prefix)r") if not found else
                   _("careweave: give more of the token, or the user name: %(prefix)r is not unique"))
        print(message % {"prefix": prefix}, file=sys.stderr)
        return 1
    token = revoke_api_token(found[0].user, found[0])
    print(_("Revoked %(prefix)s… (%(name)s) of %(username)s.") % {
        "prefix": token.prefix, "name": token.name, "username": token.user.username})
    return 0


def run(args: argparse.Namespace) -> int:
    """Create (default), list or revoke tokens; the new secret alone goes to stdout, for ``$(...)``."""
    from careweave.cli import setup_django

    setup_django(args.db)
    from django.utils import formats, timezone
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    from careweave.access.actions import create_api_token, revoke_all_api_tokens
    from careweave.careplans.errors import RuleViolation

    if args.revoke_token:
        return _revoke_prefix(args.revoke_token, args.username)
    if not args.username:
        print(_("careweave: name the user (careweave token USERNAME)"), file=sys.stderr)
        return 2
    user = _user(args.username)
    if user is None:
        return 1
    if args.list:
        _print_list(user)
        return 0
    try:
        if args.revoke:
            count = revoke_all_api_tokens(user, user)
            message = ngettext("Revoked %(count)d API token of %(username)s.",
                               "Revoked %(count)d API tokens of %(username)s.", count)
            print(message % {"count": count, "username": user.username})
            return 0
        issued = create_api_token(user, name=args.name, days=args.days)
    except RuleViolation as exc:
        print(f"careweave: {exc}", file=sys.stderr)
        return 1
    print(issued.secret)
    expires = formats.date_format(timezone.localtime(issued.token.expires_at), "DATETIME_FORMAT")
    print(_("Valid until %(date)s. It is shown only now; keep it secret.") % {"date": expires}, file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "token",
        help="create, list or revoke bearer tokens for the FHIR API",
        description="Without options: print a new bearer token for USERNAME (shown once; only its hash is "
        "stored). Tokens expire after API_TOKEN_DAYS (90) days unless --days says otherwise.",
    )
    p.add_argument("username", nargs="?", help="the user the token is for")
    p.add_argument("--name", default="cli", help="a label to recognise the token by (default: cli)")
    p.add_argument("--days", type=int, help="days the new token is valid (default 90)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="list USERNAME's tokens (never their secrets)")
    what.add_argument("--revoke", action="store_true", help="revoke all of USERNAME's tokens")
    what.add_argument("--revoke-token", metavar="PREFIX", help="revoke the one token that starts with PREFIX")
    p.add_argument("--db", help="SQLite file to use instead of the default")
    p.set_defaults(func=run)

"""Remember access decisions and relationship facts for the length of one safe request (issue 19).

A page asks "may this user do X to this person?" for every control it shows and the list pages ask
it for every row; without a memo each question repeats the same relationship queries. For GET and
HEAD requests, which change nothing, every :func:`~careweave.access.decisions.decide` and every
relationship predicate of the permission table is answered once per (user, person) for the whole
request, and a list that announces its persons (``decide_many``) has them looked up in one query
per fact. Requests that may change state (POST...) remember nothing here, and an action never uses
remembered decisions (``forgetting_decisions`` in ``atomic_action``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from careweave.access.decisions import remembering_decisions

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RememberDecisionsMiddleware:
    """For a safe request, one decision memo shared by the view, the templates and the ``{% may %}`` tag."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS:
            return self.get_response(request)
        memo = request._careweave_decisions = {}
        with remembering_decisions(memo):
            return self.get_response(request)

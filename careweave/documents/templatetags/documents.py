"""The plan's documents for a page: computed once per request (the plan section and every journal entry
ask the same answer), so the page's query count does not grow with its entries."""

from __future__ import annotations

from django import template

from careweave.documents.content import type_label
from careweave.documents.queries import PlanDocuments, plan_documents

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_docs(context: template.Context, plan) -> PlanDocuments:  # noqa: ANN001
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    cache = getattr(request, "_careweave_plan_documents", None) if request is not None else None
    key = getattr(plan, "pk", None)
    if cache is not None and key in cache:
        return cache[key]
    found = plan_documents(user, plan)
    if request is not None:
        request._careweave_plan_documents = {**(cache or {}), key: found}
    return found


@register.simple_tag(takes_context=True)
def entry_docs(context: template.Context, entry) -> dict:  # noqa: ANN001
    """The documents attached to one journal entry (from :func:`plan_docs`'s answer), and whether the reader
    may attach one."""
    if entry is None:
        return {}
    plan = context.get("plan")
    plan = plan if getattr(plan, "pk", None) == entry.plan_id else entry.plan
    docs = plan_docs(context, plan)
    return {"items": docs.of_entry(entry.pk), "may_attach": docs.may_attach}


@register.filter
def file_kind(content_type: str) -> str:
    return type_label(content_type)

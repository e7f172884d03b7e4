"""What a reader is shown of a plan's documents: the table decides (``documents.list_documents``), the
label filters (medical documents need the full file, like journal entries), in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, prefetch_related_objects

from careweave.access.decisions import decide
from careweave.access.models import Level
from careweave.access.permissions import may
from careweave.careplans.models import CarePlan
from careweave.documents.models import Document, DocumentVersion


@dataclass
class PlanDocuments:
    may_list: bool = False
    may_attach: bool = False
    full: bool = False
    items: list[Document] = field(default_factory=list)
    hidden: int = 0  # medical documents this reader may not see (a number, nothing more)

    def of_entry(self, entry_id: int) -> list[Document]:
        return [d for d in self.items if d.journal_entry_id == entry_id]


def plan_documents(actor, plan: CarePlan | None) -> PlanDocuments:  # noqa: ANN001
    """The current documents of the plan this actor may see, newest first, with their versions."""
    if plan is None or not may(actor, "documents.list_documents", plan):
        return PlanDocuments()
    full = decide(actor, plan.person).allows(Level.FULL)
    current = list(Document.objects.filter(plan=plan, status=Document.Status.CURRENT))
    items = [d for d in current if full or not d.is_medical]
    # The versions of the shown documents only: one query, whatever their number.
    prefetch_related_objects(items, Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number")))
    return PlanDocuments(True, may(actor, "documents.attach_document", plan), full, items, len(current) - len(items))

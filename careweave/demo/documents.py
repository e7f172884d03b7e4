"""Documents in the demo (issue 21), shared through the document actions (decision 0003).

On Maria's plan: the discharge letter of her hospital stay (a synthetic PDF made here with reportlab,
labelled medical, shared by her home nurse) and a non-medical exercise sheet. The seed asks that a team can
share "bijvoorbeeld een ontslagbrief uit het ziekenhuis" (001 l.20672-20678).
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import formats, translation

from careweave.people.models import Person


def discharge_letter_pdf(person: Person, day: datetime) -> bytes:
    """A one-page synthetic discharge letter in Dutch (no real hospital, no real patient)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.setTitle("Ontslagbrief")
    with translation.override("nl"):
        when = formats.date_format(day.date(), "DATE_FORMAT")
    lines = [
        ("Helvetica-Bold", 14, "AZ Denderzorg (fictief) — Dienst geriatrie"),
        ("Helvetica", 10, "Demogegevens van Careweave: geen echte patiënt, geen echt ziekenhuis."),
        ("Helvetica-Bold", 12, "Ontslagbrief"),
        ("Helvetica", 11, f"Patiënt: {person.given_name} {person.family_name}"),
        ("Helvetica", 11, f"Ontslag naar huis op {when}"),
        ("Helvetica", 11, "Reden van opname: decompensatie hartfalen, ontregelde diabetes type 2."),
        ("Helvetica", 11, "Medicatie bij ontslag: furosemide 40 mg 1x/dag, metformine 1 g 2x/dag,"),
        ("Helvetica", 11, "bisoprolol 2,5 mg 1x/dag. Dagelijks wegen; >2 kg op 3 dagen: huisarts verwittigen."),
        ("Helvetica", 11, "Opvolging: thuisverpleging voor wondzorg en medicatie, huisarts binnen 1 week."),
        ("Helvetica", 11, "Met collegiale groeten, dr. A. Demo, geriater"),
    ]
    y = 27 * cm
    for font, size, text in lines:
        page.setFont(font, size)
        page.drawString(2 * cm, y, text)
        y -= 0.9 * cm
    page.showPage()
    page.save()
    return out.getvalue()


def exercise_sheet_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    page.setFont("Helvetica-Bold", 14)
    page.drawString(2 * cm, 27 * cm, "Oefenschema thuis: evenwicht en kracht (demo)")
    page.setFont("Helvetica", 11)
    for i, text in enumerate(["Opstaan uit de stoel zonder handen, 10 keer.", "Op de tenen staan aan het aanrecht.",
                              "Elke dag 15 minuten wandelen, met stok."]):
        page.drawString(2 * cm, (25.5 - i) * cm, text)
    page.showPage()
    page.save()
    return out.getvalue()


def load_documents(users: dict[str, User], now: datetime) -> dict[str, Any]:
    """Maria's discharge letter (medical) and an exercise sheet, dated back to her return home."""
    from careweave.documents.actions import attach_document
    from careweave.documents.models import Document, DocumentVersion

    nurse = users.get("nurse")
    maria = Person.objects.filter(user__username="person").first()
    plan = maria.care_plans.order_by("-created_at").first() if maria is not None else None
    if nurse is None or plan is None:
        return {}
    home = now - timedelta(days=12)
    letter = attach_document(nurse, plan, io.BytesIO(discharge_letter_pdf(maria, home)),
                             original_name="ontslagbrief.pdf", title="Ontslagbrief AZ Denderzorg",
                             kind=Document.Kind.DISCHARGE, is_medical=True)
    sheet = attach_document(nurse, plan, io.BytesIO(exercise_sheet_pdf()), original_name="oefenschema.pdf",
                            title="Oefenschema thuis", kind=Document.Kind.OTHER)
    for document, days in ((letter, 11), (sheet, 4)):
        moment = now - timedelta(days=days, hours=2)
        Document.objects.filter(pk=document.pk).update(created_at=moment, updated_at=moment)
        DocumentVersion.objects.filter(document=document).update(uploaded_at=moment)
    return {"documents": 2}

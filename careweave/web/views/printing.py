"""The plan on paper: a one-page summary the person can keep (print stylesheet and a PDF)."""

from __future__ import annotations

from io import BytesIO

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from careweave.access.decisions import Decision
from careweave.documents.queries import plan_documents
from careweave.people.models import Person
from careweave.web.access import person_view
from careweave.web.plandata import PlanView, build_plan_view


def _summary(person: Person, decision: Decision, user) -> PlanView:  # noqa: ANN001
    return build_plan_view(person, decision, user, journal_limit=0)


@person_view()
def print_plan(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    view = _summary(person, decision, request.user)
    agreements = list(view.plan.agreements.all()[:5]) if view.plan else []
    context = {"v": view, "person": person, "plan": view.plan, "agreements": agreements, "today": timezone.localdate(),
               "documents": plan_documents(request.user, view.plan)}
    return render(request, "web/print.html", context)


@person_view()
def plan_pdf(request: HttpRequest, person: Person, decision: Decision) -> HttpResponse:
    view = _summary(person, decision, request.user)
    buffer = BytesIO()
    build_pdf(buffer, view, plan_documents(request.user, view.plan).items)
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    filename = f"careweave-{slugify(str(person))}-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _date(value) -> str:  # noqa: ANN001
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def build_pdf(out: BytesIO, v: PlanView, documents: list | None = None) -> None:
    """A4, one page where possible, headings in the reader's language; the content as the team wrote it.

    ``documents``: the plan's documents the reader may see, listed by title (the files stay in Careweave)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10, leading=13)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#333333"))
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontSize=17, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontSize=12.5, spaceBefore=8, spaceAfter=3)
    person, plan = v.person, v.plan

    def p(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    story = [p(_("My care and support plan"), h1)]
    line = [str(person)]
    if person.birth_date:
        line.append(_("born %(date)s") % {"date": _date(person.birth_date)})
    line.append(_("printed on %(date)s") % {"date": _date(timezone.localdate())})
    story.append(p(" \u00b7 ".join(line), small))
    if plan is None:
        story.append(p(_("There is no plan yet.")))
    else:
        story.append(p(plan.title, h2))
        if plan.review_date:
            story.append(p(_("Next review: %(date)s") % {"date": _date(plan.review_date)}))
        if v.coordination:
            holder = v.coordination.coordinator or person
            story.append(p(_("Coordinator: %(name)s") % {"name": holder}))
        if v.life_goals:
            story.append(p(_("What matters to me"), h2))
            for lg in v.life_goals:
                story.append(p(f"\u2022 {lg.text}"))
        story.append(p(_("My goals and who helps"), h2))
        for goal in v.goals:
            story.append(
                p(
                    f"{goal.description} ({goal.get_status_display()})",
                    ParagraphStyle("g", parent=body, fontName="Helvetica-Bold"),
                )
            )
            for task in goal.shown_tasks:
                story.append(p(_task_line(task, person), small))
        if v.loose_tasks:  # MDO decisions and other tasks that serve no goal: a section of their own
            story.append(p(_("Decisions and tasks without a goal"), h2))
            for task in v.loose_tasks:
                story.append(p(_task_line(task, person), small))
    if v.members:
        story.append(p(_("My team"), h2))
        rows = [[p(_("Name"), small), p(_("Role"), small), p(_("Phone"), small)]]
        for m in v.members:
            rows.append([p(str(m.member), small), p(m.display_role, small), p(m.member.phone or "", small)])
        table = Table(rows, colWidths=[60 * mm, 70 * mm, 45 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#999999")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    if documents:
        story.append(p(_("Documents"), h2))
        for document in documents:
            latest = document.latest
            shared = _("shared by %(who)s on %(date)s") % {
                "who": latest.uploaded_by_name, "date": _date(timezone.localtime(latest.uploaded_at).date())} \
                if latest else ""
            story.append(p(f"\u2022 {document.title} \u00b7 {document.get_kind_display()} \u00b7 {shared}", small))
    if v.hidden_medical:
        story.append(Spacer(1, 4 * mm))
        story.append(p(_("Some medical details are not shown to you."), small))
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("My care and support plan"),
        author="Careweave",
    )
    doc.build(story)


def _task_line(task, person: Person) -> str:  # noqa: ANN001
    who = str(person) if task.assigned_to_person or task.assignee is None else str(task.assignee.member)
    parts = [f"\u2013 {task.description}", who]
    if task.due_date and task.is_open:
        parts.append(_("by %(date)s") % {"date": _date(task.due_date)})
    parts.append(task.get_status_display())
    return " \u00b7 ".join(str(x) for x in parts)

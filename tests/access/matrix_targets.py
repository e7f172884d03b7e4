"""One target of each kind for the permission matrix, on Maria's file and in the demo zone.

Kinds are the actions' second parameter names (``goal``, ``consultation``...), qualified by the app
where two apps use one word (``maturity.participant``). Missing demo records are created through the
models: this is set-up, the behaviour under test is the table.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone


def _first(qs: Any) -> Any:
    return qs.order_by("pk").first()


def _enrol(maria: Any, team: Any, targets: dict) -> Any:
    """Maria in the frail-persons programme, enrolled by her GP with her agreement (through the action)."""
    from careweave.programmes.actions import enrol_in_programme, usable_versions

    gp = User.objects.get(username="gp")
    frail = next((v for v in usable_versions() if "frail" in v.pathway.code), None) or usable_versions()[0]
    member = team.members.filter(professional=gp.professional).first()
    return enrol_in_programme(gp, maria, frail, reference_member=member, person_agreed=True)


def _subscription(owner: Any, maria: Any) -> Any:
    """The GP's EHR subscribed to Maria's goals (a row, no handshake: the table is under test)."""
    import uuid

    from careweave.fhir.models import Subscription

    return Subscription.objects.create(fhir_id=uuid.uuid4(), owner=owner, person=maria, status="active",
                                       topic="https://careweave.be/fhir/SubscriptionTopic/goal-changed",
                                       endpoint="https://ehr.example.org/hook", base_url="http://testserver/fhir/R4")


def _discharge_letter(plan: Any) -> Any:
    """Maria's medical discharge letter, shared by the nurse (the demo's, or one made here through the action)."""
    from io import BytesIO

    from careweave.documents.actions import attach_document
    from careweave.documents.models import Document

    found = _first(Document.objects.filter(plan=plan, is_medical=True))
    if found is not None:
        return found
    nurse = User.objects.get(username="nurse")
    return attach_document(nurse, plan, BytesIO(b"%PDF-1.4\n%matrix\n%%EOF\n"), original_name="letter.pdf",
                           title="Discharge letter", kind=Document.Kind.DISCHARGE, is_medical=True)


def build_targets() -> dict[str, Any]:
    from careweave.access.models import AccessRule
    from careweave.careplans.models import (
        CaseManagementEpisode,
        CaseManagementRequest,
        CoordinationEpisode,
        Goal,
        LifeGoal,
        Task,
        TeamMember,
    )
    from careweave.consultations.models import Consultation
    from careweave.consultations.models import Participant as Invitation
    from careweave.financing.models import CareUnitBudget, Provision, ProvisionType
    from careweave.maturity.models import ConsensusWorkshop, MaturityRound, WorkshopVote
    from careweave.maturity.models import Participant as Respondent
    from careweave.people.models import Person
    from careweave.programmes.models import Enrolment, PathwayVersion
    from careweave.territory.models import Referral, Service, Zone

    maria = Person.objects.get(user__username="person")
    plan = maria.care_plans.order_by("-created_at").first()
    team = maria.care_teams.get()
    nurse = User.objects.get(username="nurse").professional
    physio = User.objects.get(username="physio").professional
    targets: dict[str, Any] = {
        "person": maria,
        "plan": plan,
        "team": team,
        "zone": maria.zone or _first(Zone.objects.exclude(kind=Zone.Kind.MUNICIPALITY)),
        "goal": _first(Goal.objects.filter(plan=plan, is_medical=True)) or _first(Goal.objects.filter(plan=plan)),
        "plain_goal": _first(Goal.objects.filter(plan=plan, is_medical=False)),
        "life_goal": _first(LifeGoal.objects.filter(plan=plan)),
        "task": _first(Task.objects.filter(plan=plan)),
        "member": _first(team.members.filter(status=TeamMember.Status.PROPOSED))
        or _first(team.members.filter(professional=nurse)),
        "episode": _first(CoordinationEpisode.objects.filter(team=team)),
        "rule": _first(AccessRule.objects.filter(person=maria)),
        "related": _first(maria.network.filter(user__username="carer")) or _first(maria.network.all()),
        "assessment": _first(maria.assessments.all()) if hasattr(maria, "assessments") else None,
        "consultation": _first(Consultation.objects.filter(person=maria)),
        "provision": _first(Provision.objects.filter(person=maria)),
        "ptype": _first(ProvisionType.objects.all()),
        "source": _first(CareUnitBudget.objects.filter(person=maria)) or _first(CareUnitBudget.objects.all()),
        "professional": nurse,
        "entry": _first(Service.objects.filter(professional=physio)) or _first(Service.objects.all()),
        "version": _first(PathwayVersion.objects.all()),
        "round_": _first(MaturityRound.objects.all()),
        "maturity.participant": _first(Respondent.objects.filter(user__username="nurse", round__closed_at=None))
        or _first(Respondent.objects.filter(user__username="nurse")) or _first(Respondent.objects.all()),
        "workshop": _first(ConsensusWorkshop.objects.all()),
        "vote": _first(WorkshopVote.objects.all()),
        "none": None,
    }
    targets["pathway"] = targets["version"].pathway if targets["version"] else None
    targets["consultations.participant"] = _first(
        Invitation.objects.filter(consultation=targets["consultation"]).exclude(member__professional=None)
    )
    targets["request"] = _first(CaseManagementRequest.objects.filter(person=maria)) or _first(
        CaseManagementRequest.objects.all())
    targets["case_episode"] = _first(CaseManagementEpisode.objects.all())
    targets["enrolment"] = _first(Enrolment.objects.filter(person=maria)) or _enrol(maria, team, targets)
    targets["referral"] = _first(Referral.objects.filter(person=maria)) or _first(Referral.objects.all())
    workshop = targets.get("workshop")
    if workshop is not None and targets.get("vote") is None and workshop.dimensions.exists():
        targets["vote"] = WorkshopVote.objects.create(workshop=workshop, item=workshop.dimensions.first())
    from careweave.people.models import PractitionerRole

    # The directory: the nurse's organisation (she and the coordinator work there) and a role of hers.
    targets["organisation"] = nurse.organisation
    targets["role"] = _first(PractitionerRole.objects.filter(professional=nurse)) or PractitionerRole.objects.create(
        professional=nurse, organisation=nurse.organisation, discipline=nurse.discipline)
    from careweave.access.models import ApiToken

    gp = User.objects.get(username="gp")
    targets["gp_user"] = gp
    targets["token"] = ApiToken.issue_token(gp, "matrix", None)[0]
    from careweave.fhir.models import ExportJob

    targets["export"] = ExportJob.objects.create(requester=gp, level=ExportJob.Level.PATIENT,
                                                 expires_at=timezone.now() + timedelta(hours=1))  # issue 20
    targets["document"] = _discharge_letter(plan)
    targets["documents.version"] = targets["document"].versions.order_by("-number").first()
    # Notifications (decision 0030): the nurse's notification of a task on Maria's plan, the GP's own account
    # and device, and a delivery that failed.
    from careweave.notifications import emit
    from careweave.notifications.models import Delivery, PushSubscription

    nurse_user = User.objects.get(username="nurse")
    event = emit("task_assigned", person=maria, target=targets["task"], actor=gp, recipients=[nurse_user])
    notification = event.notifications.get()
    targets["notifications.notification"] = notification
    targets["notifications.account"] = gp
    targets["notifications.subscription"] = PushSubscription.objects.create(
        user=gp, endpoint="https://push.example.invalid/gp", p256dh="k", auth="a")
    targets["notifications.delivery"] = Delivery.objects.create(
        recipient=nurse_user, channel=Delivery.Channel.EMAIL, notification=notification,
        status=Delivery.Status.FAILED, attempts=6, last_error="SMTPConnectError")
    # issue #20: Maria on the outreach list the zone sent to the GPs; the zone's PDCA target, action, review
    from careweave.population.models import OutreachItem, PdcaTarget

    targets["item"] = _first(OutreachItem.objects.filter(person=maria))
    targets["pdca_target"] = _first(PdcaTarget.objects.filter(zone=targets["zone"]))
    if targets["pdca_target"] is not None:
        targets["pdca_action"] = _first(targets["pdca_target"].actions.all())
        targets["pdca_review"] = _first(targets["pdca_target"].reviews.all())
    targets["today"] = date.today()
    targets["later"] = timezone.now() + timedelta(days=1)
    targets["subscription"] = _subscription(gp, maria)
    return {kind: value for kind, value in targets.items() if value is not None or kind == "none"}

"""The pathway registry's lifecycle: eight steps, forward one at a time, with rework loops (001 l.19150-19199).

Allowed moves (SEED-REQUIREMENTS C7-R43): each step to the next; back to co-creation (step 2)
from feedback (3: "besproken tijdens het co-creatieve proces ... en wordt het vervolgproces
herhaald"), from the conceptual check (4: "in de co-creatieve stap herbekeken en aangepast"), from
validation (6, [DERIVED]: a formal body that does not validate sends the pathway back), and from
monitoring (8, "bijsturing"), which starts a new version in co-creation while the running version
keeps serving its enrolments. A rework always says why.

Who moves a pathway: its owner (``owner_user``) or the staff of the zone that keeps it in its
inventory (001 l.19163 "wie is verantwoordelijk voor het bijhouden van een inventaris"). An
interfederal pathway without a zone is moved by its owner or a platform administrator only. Those
rules are rows of the permission table (``programmes.request_pathway``, ``programmes.move_pathway_step``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from careweave.access.audit import record_access
from careweave.access.permissions import PATHWAY_REGISTRY_ROLES, authorize
from careweave.careplans.actions._common import atomic_action
from careweave.careplans.errors import RuleViolation
from careweave.programmes.models import STEP_ORDER, Pathway, PathwayVersion, Step, StepChange
from careweave.programmes.template import validate
from careweave.territory.models import Zone

REWORK_FROM = {Step.FEEDBACK, Step.CONCEPTUAL_CHECK, Step.VALIDATION}
REGISTRY_ROLES = PATHWAY_REGISTRY_ROLES
NOTE_MAX = 2000


def allowed_moves(step: str) -> list[str]:
    """The steps a version at ``step`` may move to next."""
    index = STEP_ORDER.index(step)
    moves = [STEP_ORDER[index + 1]] if index + 1 < len(STEP_ORDER) else []
    if step in REWORK_FROM or step == Step.MONITORING:
        moves.append(Step.CO_CREATION)
    return moves


def registry_zones(actor) -> list[Zone]:  # noqa: ANN001
    """The zones whose pathway inventory the actor keeps (for the request form's choices)."""
    if not getattr(actor, "is_authenticated", False):
        return []
    return list(Zone.objects.filter(staff__user=actor, staff__role__in=REGISTRY_ROLES).distinct())


def _who(actor) -> str:  # noqa: ANN001
    return actor.get_full_name() or actor.get_username()


def _audit(actor, version: PathwayVersion, reason: str) -> None:  # noqa: ANN001
    record_access(actor, "update", "PlanDefinition", str(version.fhir_id), reason=reason[:200])


@atomic_action
def request_pathway(actor, zone: Zone, *, code: str, title: str, owner: str, note: str = "",  # noqa: ANN001
                    language: str = "nl") -> PathwayVersion:
    """Step 1: a request for a new pathway enters the zone's inventory (by zone staff)."""
    authorize(actor, "programmes.request_pathway", zone)
    title, owner, code = (title or "").strip(), (owner or "").strip(), (code or "").strip().lower()
    if not title or not owner or not code:
        raise RuleViolation("required", _("Fill in the code, the title and the owner of the pathway."))
    if len(title) > 200 or len(owner) > 200 or len(note) > NOTE_MAX:
        raise RuleViolation("too_long", _("Please shorten the text."))
    if Pathway.objects.filter(code=code).exists():
        raise RuleViolation("code_taken", _("A pathway with this code exists already."))
    pathway = Pathway.objects.create(code=code, title={language: title}, owner=owner, zone=zone,
                                     scope=Pathway.Scope.MESO)
    version = PathwayVersion.objects.create(pathway=pathway, label="0.1.0", step=Step.REQUEST,
                                            template={"code": code, "version": "0.1.0", "title": {language: title},
                                                      "phases": []})
    StepChange.objects.create(pathway_version=version, to_step=Step.REQUEST, actor=actor, actor_display=_who(actor),
                              note=note.strip())
    _audit(actor, version, "pathway requested")
    return version


def _next_version(version: PathwayVersion) -> str:
    parts = version.label.split(".")
    try:
        parts[-1] = str(int(parts[-1]) + 1)
    except ValueError:
        parts.append("1")
    candidate = ".".join(parts)
    while PathwayVersion.objects.filter(pathway=version.pathway, label=candidate).exists():
        candidate += ".1"
    return candidate


@atomic_action
def move_pathway_step(actor, version: PathwayVersion, to_step: str, expected_version: int,  # noqa: ANN001
                      note: str = "") -> PathwayVersion:
    """Move a pathway version one step on, or back to co-creation (with a reason); kept in its history.

    From monitoring, going back to co-creation starts the next version (the running one stays).
    Returns the version that is now at ``to_step``.
    """
    authorize(actor, "programmes.move_pathway_step", version)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RuleViolation("too_long", _("Please shorten the note to at most %(n)s characters.") % {"n": NOTE_MAX})
    if to_step not in allowed_moves(version.step):
        raise RuleViolation("step_not_allowed", _("A pathway at “%(now)s” cannot move to “%(to)s”.")
                            % {"now": Step(version.step).label, "to": Step(to_step).label
                               if to_step in STEP_ORDER else to_step})
    backwards = STEP_ORDER.index(to_step) < STEP_ORDER.index(version.step)
    if backwards and not note:
        raise RuleViolation("rework_reason", _("Say what must be reworked in co-creation."))
    if to_step == Step.VALIDATION and (validate(version.template) or not version.template.get("phases")):
        raise RuleViolation("template_incomplete",
                            _("A pathway goes to validation only with a complete plan template (phases and items)."))
    if version.step == Step.MONITORING:
        successor = PathwayVersion.objects.create(pathway=version.pathway, label=_next_version(version),
                                                  step=Step.CO_CREATION, template={**version.template})
        successor.template["version"] = successor.label
        successor.save_versioned(update_fields=["template"])
        StepChange.objects.create(pathway_version=successor, from_step=Step.MONITORING, to_step=Step.CO_CREATION,
                                  actor=actor, actor_display=_who(actor), note=note)
        _audit(actor, successor, f"adjustment of {version.label}")
        return successor
    previous = version.step
    version.step = to_step
    version.save_versioned(expected_version, update_fields=["step"])
    StepChange.objects.create(pathway_version=version, from_step=previous, to_step=to_step, actor=actor,
                              actor_display=_who(actor), note=note)
    _audit(actor, version, f"{previous} -> {to_step}")
    return version

"""The obesity programme on the plan: the growth chart from BMI-for-age results, family and school context."""

from __future__ import annotations

from datetime import date, timedelta

from domain.domain_helpers import refused

from careweave.access.decisions import decide
from careweave.assessments import actions as assessment_actions
from careweave.careplans.actions import add_team_member, start_care_plan, team_for
from careweave.people.models import Discipline, RelatedPerson
from careweave.programmes import actions
from careweave.programmes.panel import growth_chart, programme_views


def _measure(actor, child, months_ago: int, weight: float, height: float) -> None:  # noqa: ANN001
    measured = date.today() - timedelta(days=30 * months_ago)
    assessment = assessment_actions.start_assessment(actor, child, "bmi-for-age")
    assessment_actions.complete_assessment(actor, assessment, {
        "bmi-sex": "female", "bmi-birth-date": child.birth_date.isoformat(), "bmi-measured-on": measured.isoformat(),
        "bmi-weight": weight, "bmi-height": height}, assessment.version)


def test_the_obesity_panel_draws_the_growth_chart_and_asks_for_the_school(make_person, make_related, gp,  # noqa: ANN001
                                                                          social_worker, make_professional):
    child = make_person("Lotte", birth_date=date.today() - timedelta(days=12 * 365), sex="female")
    team = team_for(child)
    member = add_team_member(child.user, team, professional=gp)
    mother = make_related(child, RelatedPerson.Relationship.PARENT, given="Ilse")
    add_team_member(child.user, team, related_person=mother)
    start_care_plan(child.user, child, "Plan van Lotte")
    for months_ago, weight, height in ((12, 48.0, 148.0), (1, 55.0, 152.0)):
        _measure(gp.user, child, months_ago, weight, height)
    actions.enrol_in_programme(gp.user, child, next(v for v in actions.usable_versions()
                                                    if v.pathway.code == "obesity-youth"), reference_member=member,
                               person_agreed=True)

    [view] = programme_views(gp.user, child, decide(gp.user, child))
    assert view.growth is not None and len(view.growth["dots"]) == 2
    assert all(float(d["z"]) > 1 for d in view.growth["dots"]), "both measurements lie above +1 SD"
    context = {c["code"]: c for c in view.context}
    assert [m.related_person for m in context["family"]["members"]] == [mother]
    assert context["school"]["members"] == [], "nobody of the school in the team yet"
    clb = make_professional(Discipline.EDUCATOR, given="Bart")
    add_team_member(child.user, team, professional=clb, role="CLB school")
    [view] = programme_views(gp.user, child, decide(gp.user, child))
    assert [m.professional for m in {c["code"]: c for c in view.context}["school"]["members"]] == [clb]

    from django.test import Client

    browser = Client()
    browser.force_login(gp.user)
    page = browser.get(f"/persons/{child.fhir_id}/").content.decode()
    assert 'data-test="growth-chart"' in page and page.count("<circle") >= 2
    assert 'data-test="context-school"' in page

    assert growth_chart(social_worker.user, child) is None, "medical results are not for those without full access"


def test_an_adult_is_not_enrolled_in_the_programme_for_young_people(make_person, gp):  # noqa: ANN001
    adult = make_person("Tom", birth_date=date(1990, 5, 1))
    member = add_team_member(adult.user, team_for(adult), professional=gp)
    version = next(v for v in actions.usable_versions() if v.pathway.code == "obesity-youth")
    assert refused(actions.enrol_in_programme, gp.user, adult, version, reference_member=member).rule == "not_eligible"

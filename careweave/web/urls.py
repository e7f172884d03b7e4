"""Web application routes. Person pages are addressed by the person's public id (as in FHIR)."""

from django.urls import include, path

from careweave.web.views import (
    exports,
    home,
    people,
    plan,
    population_feed,  # issue 20
    printing,
    privacy,
    security,
    team,
    tokens,
    work,
    zone,
)

app_name = "web"

person_urls = [
    path("", plan.plan, name="plan"),
    path("plan/start/", plan.plan_start, name="plan_start"),
    path("plan/edit/", plan.plan_edit, name="plan_edit"),
    path("plan/review/", plan.plan_review, name="plan_review"),
    path("agreements/add/", plan.agreement_add, name="agreement_add"),
    path("life-goals/add/", plan.life_goal_add, name="life_goal_add"),
    path("life-goals/<int:pk>/edit/", plan.life_goal_edit, name="life_goal_edit"),
    path("goals/add/", plan.goal_add, name="goal_add"),
    path("goals/<int:pk>/edit/", plan.goal_edit, name="goal_edit"),
    path("tasks/add/", plan.task_add, name="task_add"),
    path("tasks/<int:pk>/edit/", plan.task_edit, name="task_edit"),
    path("tasks/<int:pk>/done/", plan.task_done, name="task_done"),
    path("journal/", plan.journal, name="journal"),
    path("check-in/", plan.carer_checkin, name="carer_checkin"),
    path("team/", team.team, name="team"),
    path("team/add-professional/", team.add_professional, name="add_professional"),
    path("team/add-network/", team.add_network, name="add_network"),
    path("team/members/<int:pk>/<slug:step>/", team.member_step, name="member_step"),
    path("coordination/take-on/", team.take_on_coordination, name="take_on_coordination"),
    path("coordination/propose/", team.propose_coordinator, name="propose_coordinator"),
    path("coordination/<int:pk>/<slug:step>/", team.coordination_step, name="coordination_step"),
    path("case-management/request/", team.ring_the_bell, name="ring_the_bell"),
    path("privacy/", privacy.privacy, name="privacy"),
    path("privacy/choices/<int:pk>/undo/", privacy.revoke_rule, name="revoke_rule"),
    path("privacy/network/<int:pk>/<slug:step>/", privacy.network_step, name="network_step"),
    path("privacy/representative/", privacy.appoint_representative, name="appoint_representative"),
    path("emergency/", privacy.break_glass, name="break_glass"),
    path("print/", printing.print_plan, name="print_plan"),
    path("plan.pdf", printing.plan_pdf, name="plan_pdf"),
    path("details/", people.person_details, name="person_details"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", home.login, name="login"),
    path("logout/", home.logout, name="logout"),
    path("login/code/", security.verify, name="verify"),
    path("account/security/", security.security, name="security"),
    path("account/api-tokens/", tokens.api_tokens, name="api_tokens"),
    path("account/exports/", exports.my_exports, name="my_exports"),  # issue 20: FHIR bulk exports
    path("account/exports/<uuid:key>/cancel/", exports.cancel_export, name="cancel_export"),
    path("account/api-tokens/<int:pk>/revoke/", tokens.revoke_api_token, name="revoke_api_token"),
    path("language/", home.set_language, name="set_language"),
    path("people/", home.cared_for, name="cared_for"),
    path("people/register/", people.person_register, name="person_register"),
    path("administration/", home.admin_home, name="admin_home"),
    path("welcome/", home.no_role, name="no_role"),
    path("persons/<uuid:person_id>/", include(person_urls)),
    path("caseload/", work.caseload, name="caseload"),
    path("tasks/", work.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/done/", work.my_task_done, name="my_task_done"),
    path("coordination/", work.coordination, name="coordination"),
    path("case-management/", work.case_management, name="case_management"),
    path("case-management/<int:pk>/end/", work.end_case_management, name="end_case_management"),
    path("zone/", zone.zone, name="zone"),
    path("zone/<str:zone>/population-feed/", population_feed.run, name="population_feed_run"),  # issue 20
    path("zone/requests/<int:pk>/", zone.zone_request, name="zone_request"),
    path("zone/registry/", zone.zone_registry, name="zone_registry"),
    path("emergency/", privacy.emergency, name="emergency"),
    path("professionals/search/", team.professional_search, name="professional_search"),
]

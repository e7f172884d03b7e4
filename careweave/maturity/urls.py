"""URLs of the maturity app (mounted at /maturity/)."""

from django.urls import path

from . import views

app_name = "maturity"
urlpatterns = [
    path("", views.index, name="index"),
    path("zones/<int:zone_id>/rounds/", views.create_round, name="create_round"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/status/", views.round_status, name="round_status"),
    path("rounds/<int:pk>/participants/<int:participant_id>/reopen/", views.reopen_participant,
         name="reopen_participant"),
    path("rounds/<int:pk>/remind/", views.remind, name="remind"),
    path("rounds/<int:pk>/participants/<int:participant_id>/remind/", views.remind, name="remind_participant"),
    path("rounds/<int:pk>/score/", views.score, name="score"),
    path("rounds/<int:pk>/score/<slug:code>/", views.autosave, name="autosave"),
    path("rounds/<int:pk>/submit/", views.submit, name="submit"),
    path("rounds/<int:pk>/results/", views.results, name="results"),
    path("rounds/<int:pk>/workshops/new/", views.new_workshop, name="new_workshop"),
    path("workshops/<int:workshop_id>/", views.workshop, name="workshop"),
    path("workshops/<int:workshop_id>/live/", views.live, name="live"),
    path("workshops/<int:workshop_id>/live/panel/", views.live_panel, name="live_panel"),
    path("workshops/<int:workshop_id>/votes/open/", views.open_vote, name="open_vote"),
    path("workshops/<int:workshop_id>/votes/<int:vote_id>/close/", views.close_vote, name="close_vote"),
    path("workshops/<int:workshop_id>/vote/", views.vote, name="vote"),
    path("workshops/<int:workshop_id>/vote/panel/", views.vote_panel, name="vote_panel"),
    path("rounds/<int:pk>/report/", views.report, name="report"),
    path("rounds/<int:pk>/report.csv", views.report_csv, name="report_csv"),
    path("rounds/<int:pk>/compare/", views.compare, name="compare"),
]

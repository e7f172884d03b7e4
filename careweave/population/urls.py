from django.urls import path

from . import macro_views, outreach_views, views

app_name = "population"

urlpatterns = [
    path("", views.index, name="index"),
    path("zones/<str:zone>/", views.zone_dashboard, name="zone"),
    path("zones/<str:zone>/outreach/", views.outreach_list, name="outreach"),
    path("zones/<str:zone>/work/", views.work_section, name="work"),
    path("zones/<str:zone>/outreach.csv", views.outreach_csv, name="outreach_csv"),
    # issue #20: outreach that reaches someone, the macro layer, PDCA
    path("zones/<str:zone>/sent-lists/", outreach_views.sent_lists, name="sent_lists"),
    path("my-patients/", outreach_views.my_patients, name="my_patients"),
    path("my-patients/items/<int:pk>/", outreach_views.follow_up, name="follow_up"),
    path("macro/", macro_views.macro, name="macro"),
    path("pdca/", macro_views.pdca, name="pdca"),
    path("pdca/<str:zone>/", macro_views.pdca, name="pdca_zone"),
    path("pdca/<str:zone>/targets/", macro_views.set_target, name="pdca_set_target"),
    path("pdca/<str:zone>/targets/<int:pk>/actions/", macro_views.plan_action, name="pdca_plan_action"),
    path("pdca/<str:zone>/actions/<int:pk>/", macro_views.update_action, name="pdca_update_action"),
    path("pdca/<str:zone>/targets/<int:pk>/reviews/", macro_views.plan_review, name="pdca_plan_review"),
    path("pdca/<str:zone>/reviews/<int:pk>/", macro_views.record_review, name="pdca_record_review"),
]

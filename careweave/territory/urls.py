"""URLs of the territory app (social map and referrals), mounted at /social-map/."""

from django.urls import path

from careweave.territory import views

app_name = "territory"
urlpatterns = [
    path("", views.search, name="search"),
    path("services/new/", views.service_edit, name="service_new"),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("services/<uuid:service_id>/edit/", views.service_edit, name="service_edit"),
    path("services/<uuid:service_id>/keepers/", views.add_keeper, name="add_keeper"),
    path("mine/", views.my_entries, name="mine"),
    path("refer/<uuid:person_id>/", views.refer, name="refer"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<uuid:referral_id>/<slug:step>/", views.referral_step, name="referral_step"),
]

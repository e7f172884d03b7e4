from django.urls import path

from . import views

app_name = "population"

urlpatterns = [
    path("", views.index, name="index"),
    path("zones/<str:zone>/", views.zone_dashboard, name="zone"),
    path("zones/<str:zone>/outreach/", views.outreach_list, name="outreach"),
    path("zones/<str:zone>/work/", views.work_section, name="work"),
    path("zones/<str:zone>/outreach.csv", views.outreach_csv, name="outreach_csv"),
]

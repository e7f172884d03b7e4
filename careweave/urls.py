"""Top-level URL map: the web app, the FHIR API and the admin."""

from django.contrib import admin
from django.urls import include, path

from careweave.notifications.views import service_worker

urlpatterns = [
    path("fhir/R4", include("careweave.fhir.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("population/", include("careweave.population.urls")),
    path("assessments/", include("careweave.assessments.urls")),
    path("programmes/", include("careweave.programmes.urls")),
    path("consultations/", include("careweave.consultations.urls")),
    path("financing/", include("careweave.financing.urls")),
    path("maturity/", include("careweave.maturity.urls")),
    path("social-map/", include("careweave.territory.urls")),
    path("documents/", include("careweave.documents.urls")),
    path("push-sw.js", service_worker, name="push_service_worker"),
    path("notifications/", include("careweave.notifications.urls")),
    path("", include("careweave.web.urls")),
]

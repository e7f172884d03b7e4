from django.apps import AppConfig
from django.db.models.signals import post_save


class FhirConfig(AppConfig):
    name = "careweave.fhir"
    label = "fhir"
    verbose_name = "FHIR API"

    def ready(self) -> None:
        from careweave.fhir.history import on_post_save

        post_save.connect(on_post_save, dispatch_uid="careweave.fhir.history")

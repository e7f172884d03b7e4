from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careweave.careplans"
    label = "careplans"

from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "careweave.territory"
    label = "territory"

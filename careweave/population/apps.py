from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "careweave.population"
    label = "population"

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "careweave.access"
    label = "access"

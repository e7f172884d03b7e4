from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "careweave.web"
    label = "web"
    verbose_name = _("web application")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from careweave.web.language import remember_language_on_login

        user_logged_in.connect(remember_language_on_login, dispatch_uid="careweave-web-language")

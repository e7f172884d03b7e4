"""Web views (placeholder until the web application lands)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

login = auth_views.LoginView.as_view(template_name="web/login.html")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Careweave")

"""Web application routes."""

from django.urls import path

from careweave.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
]

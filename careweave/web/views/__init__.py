"""Thin views: each page checks access through :mod:`careweave.web.access` and calls the actions."""

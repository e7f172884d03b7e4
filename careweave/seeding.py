"""Seed data that data migrations put in the database again after every migrate, test flushes included.

A data migration runs once on a real database, but transactional and live-server tests flush every table after
each test, and the seeded rows go with them. Django sends ``post_migrate`` after such a flush as well, so each
app that ships seed data connects its own seed function here; it is skipped after a partial migrate (when the
tables it fills are not there yet). Seed functions must be idempotent: they also run after a plain ``migrate``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models import Model
from django.db.models.signals import post_migrate

#: ``seed(using, verbosity)``: fill the database alias ``using``; ``verbosity`` is that of the migrate command.
Seed = Callable[[str, int], None]


def reseed_after_migrate(app_config: AppConfig, seed: Seed, *models: type[Model], dispatch_uid: str) -> None:
    """Run ``seed`` after every migrate of ``app_config`` (and test flush) once the tables of ``models`` exist."""
    tables = {model._meta.db_table for model in models}

    def receiver(sender: AppConfig, **kwargs: Any) -> None:
        using = kwargs.get("using", "default")
        if tables <= set(connections[using].introspection.table_names()):  # not after a partial migrate
            seed(using, kwargs.get("verbosity", 1))

    # weak=False: the receiver is a closure, nothing else keeps it alive.
    post_migrate.connect(receiver, sender=app_config, weak=False, dispatch_uid=dispatch_uid)


def run_data_migration(module: str, function: str) -> None:
    """Call ``function(apps, None)`` of the data migration ``module`` with the current (not historical) apps."""
    from django.apps import apps

    getattr(importlib.import_module(module), function)(apps, None)

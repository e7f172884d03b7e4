"""The received-records models move from the ``fhir`` app to ``records``: same tables, state only."""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("fhir", "0002_stored_resources_served"),
        ("people", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ResourceVersion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("resource_type", models.CharField(max_length=40)),
                        ("resource_id", models.CharField(max_length=64)),
                        ("version_id", models.PositiveIntegerField()),
                        ("data", models.JSONField()),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("author", models.ForeignKey(blank=True, null=True,
                                                     on_delete=django.db.models.deletion.SET_NULL,
                                                     related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "fhir_resourceversion",
                        "verbose_name": "resource version",
                        "verbose_name_plural": "resource versions",
                        "ordering": ["resource_type", "resource_id", "-version_id"],
                        "constraints": [models.UniqueConstraint(fields=("resource_type", "resource_id", "version_id"),
                                                                name="fhir_resource_version_unique")],
                    },
                ),
                migrations.CreateModel(
                    name="StoredResource",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("resource_type", models.CharField(max_length=64)),
                        ("source_id", models.CharField(help_text="The id (or fullUrl) the resource had at its source.",
                                                       max_length=200)),
                        ("fhir_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("version", models.PositiveIntegerField(default=1)),
                        ("data", models.JSONField()),
                        ("codes", models.TextField(blank=True, default="",
                                                   help_text="Search index: ' system|code ' per coding.")),
                        ("clinical_date", models.DateTimeField(blank=True, null=True,
                                                               help_text="Search index: when it happened.")),
                        ("bundle_hash", models.CharField(blank=True, help_text="SHA-256 of the bundle it came in.",
                                                         max_length=64)),
                        ("received_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("patient", models.ForeignKey(blank=True, null=True,
                                                      on_delete=django.db.models.deletion.CASCADE,
                                                      related_name="stored_resources", to="people.person")),
                    ],
                    options={
                        "db_table": "fhir_storedresource",
                        "verbose_name": "stored resource",
                        "verbose_name_plural": "stored resources",
                        "ordering": ["resource_type", "source_id"],
                        "indexes": [models.Index(fields=["patient", "resource_type"],
                                                 name="fhir_stored_patient_c2e9a2_idx")],
                        "constraints": [models.UniqueConstraint(fields=("resource_type", "source_id"),
                                                                name="fhir_stored_resource_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

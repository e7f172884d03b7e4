"""Stored resources get a public id, a version and search indexes; received copies of modelled records."""

import uuid

import django.utils.timezone
from django.db import migrations, models


def fill(apps, schema_editor):  # noqa: ANN001, ANN201
    from careweave.fhir.models import index_fields

    StoredResource = apps.get_model("fhir", "StoredResource")
    for stored in StoredResource.objects.all().iterator():
        stored.fhir_id = uuid.uuid4()
        stored.codes, stored.clinical_date = index_fields(stored.data)
        stored.save(update_fields=["fhir_id", "codes", "clinical_date"])


class Migration(migrations.Migration):

    dependencies = [
        ("fhir", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="storedresource", name="fhir_id",
                            field=models.UUIDField(null=True, editable=False)),
        migrations.AddField(model_name="storedresource", name="version",
                            field=models.PositiveIntegerField(default=1)),
        migrations.AddField(model_name="storedresource", name="codes",
                            field=models.TextField(blank=True, default="",
                                                   help_text="Search index: ' system|code ' per coding.")),
        migrations.AddField(model_name="storedresource", name="clinical_date",
                            field=models.DateTimeField(blank=True, null=True,
                                                       help_text="Search index: when it happened.")),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="storedresource", name="fhir_id",
                              field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
        migrations.CreateModel(
            name="SourceResource",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("resource_type", models.CharField(max_length=40)),
                ("resource_id", models.CharField(help_text="Careweave's id of the record (its fhir_id).",
                                                 max_length=64)),
                ("data", models.JSONField()),
                ("received_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"verbose_name": "received resource", "verbose_name_plural": "received resources",
                     "constraints": [models.UniqueConstraint(fields=("resource_type", "resource_id"),
                                                             name="fhir_source_resource_unique")]},
        ),
    ]

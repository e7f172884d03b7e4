"""Issue #17: a received record matches by source id within its owner only (two owners, two records)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("records", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="storedresource", name="fhir_stored_resource_unique"),
        migrations.AddConstraint(
            model_name="storedresource",
            constraint=models.UniqueConstraint(condition=models.Q(patient__isnull=False),
                                               fields=("resource_type", "source_id", "patient"),
                                               name="records_stored_owner_unique"),
        ),
        migrations.AddConstraint(
            model_name="storedresource",
            constraint=models.UniqueConstraint(condition=models.Q(patient__isnull=True),
                                               fields=("resource_type", "source_id"),
                                               name="records_stored_unowned_unique"),
        ),
    ]

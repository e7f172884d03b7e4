"""StoredResource and ResourceVersion now belong to the ``records`` app (same tables): state only."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("fhir", "0002_stored_resources_served"),
        ("records", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="StoredResource"),
                migrations.DeleteModel(name="ResourceVersion"),
            ],
            database_operations=[],
        ),
    ]

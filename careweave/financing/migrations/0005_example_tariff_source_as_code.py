"""The example tariffs' source was an English sentence shown on every page; it is now rendered in the reader's
language from ``is_example`` (issue 18.25), so the stored sentence goes."""

from django.db import migrations

OLD = "Example tariff: the seeds give no amounts (SEED-REQUIREMENTS C9); replace with the real tariff."


def forwards(apps, schema_editor):  # noqa: ANN001
    apps.get_model("financing", "Tariff").objects.filter(source=OLD, is_example=True).update(source="")


def backwards(apps, schema_editor):  # noqa: ANN001
    apps.get_model("financing", "Tariff").objects.filter(source="", is_example=True).update(source=OLD)


class Migration(migrations.Migration):
    dependencies = [("financing", "0004_provision_billing_code")]
    operations = [migrations.RunPython(forwards, backwards)]

"""Seed the Protocol 3 provision types (003 l.6-27) and the example tariffs (labelled as such)."""

from datetime import date
from decimal import Decimal

from django.db import migrations

from careweave.financing.catalogue import EXAMPLE_SOURCE, EXAMPLE_TARIFFS, TYPES


def seed(apps, schema_editor):
    ProvisionType = apps.get_model("financing", "ProvisionType")
    Tariff = apps.get_model("financing", "Tariff")
    for code, (order, unit, units, group) in TYPES.items():
        ptype, _created = ProvisionType.objects.update_or_create(
            code=code, defaults={"order": order, "default_unit": unit, "care_units": Decimal(units), "group": group})
        if not Tariff.objects.filter(provision_type=ptype).exists():
            Tariff.objects.create(provision_type=ptype, payer="riziv", amount=EXAMPLE_TARIFFS[code], unit=unit,
                                  valid_from=date(2019, 1, 1), valid_to=None, is_example=True, source=EXAMPLE_SOURCE)


class Migration(migrations.Migration):
    dependencies = [("financing", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""Today's MDO reimbursement frame as data (001 l. 5218-5224, l. 6114-6116, l. 15223-15227).

The seeds do not say since when the frame applies, nor its pseudocode (C8-R05): the rule is open-ended
from 2000-01-01 and an administrator ends it when the announced revision (l. 21062-21064) is known.
"""

from datetime import date

from django.db import migrations

NAME = "MDO frame: GP present, at most 4 professionals paid, no fee for informal carers"


def add_rule(apps, schema_editor):  # noqa: ANN001
    Rule = apps.get_model("consultations", "ReimbursementRule")
    if not Rule.objects.filter(name=NAME).exists():
        Rule.objects.create(
            name=NAME,
            valid_from=date(2000, 1, 1),
            gp_required=True,
            max_paid_professionals=4,
            informal_carers_paid=False,
            source="WeCare final report, 001 l. 5218-5224, l. 6114-6116, l. 15223-15227",
        )


def remove_rule(apps, schema_editor):  # noqa: ANN001
    apps.get_model("consultations", "ReimbursementRule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]
    operations = [migrations.RunPython(add_rule, remove_rule)]

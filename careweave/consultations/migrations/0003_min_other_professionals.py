"""The minimum attendance besides the GP as rule data (issue 18, item 10).

An MDO is a consultation between professionals and the person in their informal context (001 l. 5218-5224,
l. 6114-6116): the GP with only the person and her son is not one. The seeds give no number beyond the plural
("tussen professionals"), so today's frame needs one professional besides the GP [DERIVED]; informal carers
never count towards it nor get a fee (l. 15223-15227).
"""

from django.db import migrations, models

NAME = "MDO frame: GP present, at most 4 professionals paid, no fee for informal carers"


def set_minimum(apps, schema_editor):  # noqa: ANN001
    apps.get_model("consultations", "ReimbursementRule").objects.filter(name=NAME).update(min_other_professionals=1)


def unset_minimum(apps, schema_editor):  # noqa: ANN001
    apps.get_model("consultations", "ReimbursementRule").objects.filter(name=NAME).update(min_other_professionals=0)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_current_reimbursement_rule")]
    operations = [
        migrations.AddField(
            model_name="reimbursementrule",
            name="min_other_professionals",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="The person and informal carers do not count: a consultation between professionals.",
                verbose_name="minimum number of professionals attending besides the general practitioner",
            ),
        ),
        migrations.RunPython(set_minimum, unset_minimum),
    ]

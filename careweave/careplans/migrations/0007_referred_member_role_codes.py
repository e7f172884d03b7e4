"""A referred team member's role becomes a discipline code (issue 18.25).

Referrals stored the service's discipline in the referrer's language ("kinésithérapeute") as the new
member's role; a stored label of a discipline in any language is replaced by its code, which each reader
sees in their own language. Roles someone typed that are no discipline label stay as typed.
"""

from django.conf import settings
from django.db import migrations


def labels_to_codes(apps, schema_editor) -> None:  # noqa: ANN001
    from careweave.people.roles import codes_by_label

    TeamMember = apps.get_model("careplans", "TeamMember")
    codes = codes_by_label([code for code, _name in settings.LANGUAGES])
    for label, code in codes.items():
        if code.startswith("discipline:"):
            TeamMember.objects.filter(role=label, professional__isnull=False).update(role=code)


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0006_generated_referral_reasons"),
    ]

    operations = [migrations.RunPython(labels_to_codes, migrations.RunPython.noop)]

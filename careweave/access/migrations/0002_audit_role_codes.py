"""Audit roles become codes (issue 11.4).

Earlier events stored the role's label in the language of the moment ("huisarts",
"médecin généraliste"); each known label in every language is replaced by its code, so the
person reads it in their own language. Unknown text is left as it was (shown as typed).
"""

from django.conf import settings
from django.db import migrations


def labels_to_codes(apps, schema_editor) -> None:  # noqa: ANN001
    from careweave.people.roles import codes_by_label

    AuditEvent = apps.get_model("access", "AuditEvent")
    codes = codes_by_label([code for code, _name in settings.LANGUAGES])
    for label, code in codes.items():
        if label != code:
            AuditEvent.objects.filter(user_role=label).update(user_role=code)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
    ]

    operations = [migrations.RunPython(labels_to_codes, migrations.RunPython.noop)]

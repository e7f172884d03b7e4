"""Who rang the contact point's bell becomes a role code (issue 11.4).

Requests stored the reporter's role in the language of the moment ("huisarts", "la personne");
each known label in every language is replaced by its code, shown in the reader's language.
A role typed for a team member stays as typed.
"""

from django.conf import settings
from django.db import migrations


def labels_to_codes(apps, schema_editor) -> None:  # noqa: ANN001
    from careweave.people.roles import codes_by_label

    CaseManagementRequest = apps.get_model("careplans", "CaseManagementRequest")
    codes = codes_by_label([code for code, _name in settings.LANGUAGES])
    codes.setdefault("mantelzorger", "informal_carer")  # the first demo's wording
    for label, code in codes.items():
        if label != code:
            CaseManagementRequest.objects.filter(reporter_role=label).update(reporter_role=code)


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0002_journal_carer_feeling"),
    ]

    operations = [migrations.RunPython(labels_to_codes, migrations.RunPython.noop)]

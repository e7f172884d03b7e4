"""A carer's check-in keeps how they are doing as a code (issue 11.7).

Check-ins written before began with the chosen answer in the language of the moment
("Het is te veel, ik heb hulp nodig. …"): that answer is recognised in each language and its
code filled in, so earlier "it is too much" check-ins give the coordinator the same signal.
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import translation

ANSWERS = {
    "good": "I am managing well",
    "heavy": "It is getting heavy",
    "too_much": "It is too much, I need help",
}


def codes_from_text(apps, schema_editor) -> None:  # noqa: ANN001
    JournalEntry = apps.get_model("careplans", "JournalEntry")
    prefixes = []
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            prefixes += [(translation.gettext(text), code) for code, text in ANSWERS.items()]
    prefixes.sort(key=lambda pair: -len(pair[0]))
    for entry in JournalEntry.objects.filter(is_carer_checkin=True, carer_feeling=""):
        for prefix, code in prefixes:
            if entry.text.startswith(prefix):
                JournalEntry.objects.filter(pk=entry.pk).update(carer_feeling=code)
                break


class Migration(migrations.Migration):
    dependencies = [
        ("careplans", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="journalentry",
            name="carer_feeling",
            field=models.CharField(
                blank=True,
                choices=[
                    ("good", "I am managing well"),
                    ("heavy", "It is getting heavy"),
                    ("too_much", "It is too much, I need help"),
                ],
                max_length=10,
                verbose_name="how the carer is doing",
            ),
        ),
        migrations.RunPython(codes_from_text, migrations.RunPython.noop),
    ]

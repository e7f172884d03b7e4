"""Reasons the system wrote for a referred team member become a code and parameters (issue 18.25).

"referred: …" was stored in the referrer's language ("orienté(e) : …" on a Dutch plan); each reason that is this
sentence in one of the four languages keeps only its parameter and is rendered in the reader's language.
"""

from django.db import migrations


def to_codes(apps, schema_editor) -> None:  # noqa: ANN001
    from careweave.generated import recognise
    from careweave.territory.texts import REFERRED

    TeamMember = apps.get_model("careplans", "TeamMember")
    for member in TeamMember.objects.filter(message_code="").exclude(reason="").only("pk", "reason"):
        found = recognise(member.reason, REFERRED)
        if found is not None:
            TeamMember.objects.filter(pk=member.pk).update(reason="", message_code=REFERRED, message_params=found[1])


def to_texts(apps, schema_editor) -> None:  # noqa: ANN001
    from careweave.generated import render

    TeamMember = apps.get_model("careplans", "TeamMember")
    for member in TeamMember.objects.exclude(message_code=""):
        TeamMember.objects.filter(pk=member.pk).update(
            reason=render(member.message_code, member.message_params, "nl")[:300], message_code="", message_params={})


class Migration(migrations.Migration):
    dependencies = [("careplans", "0005_teammember_message_code_teammember_message_params")]
    operations = [migrations.RunPython(to_codes, to_texts)]

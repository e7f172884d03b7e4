"""MDO proposals the system made at a transition point keep their sentence as a code and parameters (issue 18.25).

"X joins the programme …" was stored in the language of whoever triggered the transition and shown so on every
page. Each stored transition that is one of the programme sentences (or the generic "A transition point …") in
one of the four languages becomes its code; a programme or phase named in it is linked back to the pathway's
multilingual title where the name is found, so it too is shown in the reader's language.
"""

from django.db import migrations


def _titles(apps) -> dict[str, dict]:  # noqa: ANN001
    """Every known title of a pathway or phase, in any language, to all its translations."""
    found: dict[str, dict] = {}
    for version in apps.get_model("programmes", "PathwayVersion").objects.select_related("pathway"):
        for titles in [version.pathway.title] + [p.get("title") for p in (version.template or {}).get("phases", [])]:
            if isinstance(titles, dict):
                for text in titles.values():
                    found.setdefault(text, titles)
    return found


def to_codes(apps, schema_editor) -> None:  # noqa: ANN001
    from careweave.consultations.texts import TRANSITION
    from careweave.generated import recognise
    from careweave.programmes.texts import COMPLETED, ENDED, JOINS, LEAVES, MOVES

    Consultation = apps.get_model("consultations", "Consultation")
    titles = _titles(apps)

    def param(name: str, value: str) -> object:
        if name == "person":
            return value
        for code in (COMPLETED, ENDED):
            if recognise(value, code) is not None:
                return {"code": code, "params": {}}
        return {"texts": titles[value]} if value in titles else value

    for c in Consultation.objects.filter(message_code=""):
        if not c.transition_label and recognise(c.reason, TRANSITION) is not None:
            Consultation.objects.filter(pk=c.pk).update(reason="", message_code=TRANSITION)
            continue
        for code in (JOINS, LEAVES, MOVES):
            found = recognise(c.transition_label, code)
            if found is not None:
                params = {name: param(name, value) for name, value in found[1].items()}
                reason = "" if c.reason == c.transition_label else c.reason
                Consultation.objects.filter(pk=c.pk).update(reason=reason, message_code=code, message_params=params)
                break


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0005_consultation_message_code_and_more"),
        ("programmes", "0001_initial"),
    ]
    operations = [migrations.RunPython(to_codes, migrations.RunPython.noop)]

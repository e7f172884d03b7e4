"""What makes one demo person's words their own: no two persons share a life goal or a journal text.

The eight forum situations give the shape of a plan; people in the same situation still say it
differently. Each life goal gets a concrete wish (a day, an activity, a place) and each journal
entry a concrete detail, drawn until the text is unique in the zone (issue 11.9).
"""

from __future__ import annotations

import random

T = dict[str, str]

WEEKDAYS: tuple[T, ...] = (
    {"nl": "maandag", "fr": "lundi"},
    {"nl": "dinsdag", "fr": "mardi"},
    {"nl": "woensdag", "fr": "mercredi"},
    {"nl": "donderdag", "fr": "jeudi"},
    {"nl": "vrijdag", "fr": "vendredi"},
    {"nl": "zaterdag", "fr": "samedi"},
    {"nl": "zondag", "fr": "dimanche"},
)

ACTIVITIES: tuple[T, ...] = (
    {"nl": "naar de markt gaan", "fr": "aller au marché"},
    {"nl": "in de tuin werken", "fr": "travailler au jardin"},
    {"nl": "koffie drinken met de buren", "fr": "prendre un café avec les voisins"},
    {"nl": "fietsen langs de Dender", "fr": "faire du vélo le long de la Dendre"},
    {"nl": "kaarten in het café", "fr": "jouer aux cartes au café"},
    {"nl": "koken voor de familie", "fr": "cuisiner pour la famille"},
    {"nl": "naar de voetbal kijken", "fr": "aller voir le match de foot"},
    {"nl": "de hond uitlaten", "fr": "promener le chien"},
    {"nl": "zingen in het koor", "fr": "chanter dans la chorale"},
    {"nl": "gaan zwemmen", "fr": "aller nager"},
    {"nl": "naar de bibliotheek gaan", "fr": "aller à la bibliothèque"},
    {"nl": "schilderen in het atelier", "fr": "peindre à l'atelier"},
    {"nl": "wandelen in het park", "fr": "me promener au parc"},
    {"nl": "vissen aan de vijver", "fr": "pêcher à l'étang"},
    {"nl": "muziek maken met vrienden", "fr": "faire de la musique avec des amis"},
    {"nl": "naar de kleinkinderen gaan", "fr": "aller voir les petits-enfants"},
    {"nl": "helpen in de buurtwinkel", "fr": "aider à l'épicerie du quartier"},
    {"nl": "petanque spelen", "fr": "jouer à la pétanque"},
)

LIFE_GOAL_WISH: T = {
    "nl": "Voor mij betekent dat: op {weekday} {activity} in {place}.",
    "fr": "Pour moi, cela veut dire : le {weekday}, {activity} à {place}.",
}
JOURNAL_DETAIL: T = {
    "nl": "Volgend contact met {name} op {weekday}.",
    "fr": "Prochain contact avec {name} le {weekday}.",
}
CHECKIN_DETAIL: T = {
    "nl": "Op {weekday} helpt {name} soms; de rest van de week sta ik er alleen voor.",
    "fr": "Le {weekday}, {name} aide parfois ; le reste de la semaine, je suis seul·e.",
}


class Personaliser:
    """Makes texts unique across the demo zone, reproducibly from the demo's random generator."""

    ATTEMPTS = 200

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _unique(self, base: str, template: str, values: dict[str, tuple[str, ...]]) -> str:
        for _attempt in range(self.ATTEMPTS):
            chosen = {key: self.rng.choice(options) for key, options in values.items()}
            text = f"{base} {template.format(**chosen)}"
            if text not in self.used:
                self.used.add(text)
                return text
        n = 2
        while f"{text} ({n})" in self.used:
            n += 1
        self.used.add(f"{text} ({n})")
        return f"{text} ({n})"

    def life_goal(self, base: str, lang: str, place: str) -> str:
        lang = lang if lang in LIFE_GOAL_WISH else "nl"
        return self._unique(base, LIFE_GOAL_WISH[lang], {
            "weekday": tuple(d[lang] for d in WEEKDAYS),
            "activity": tuple(a[lang] for a in ACTIVITIES),
            "place": (place,),
        })

    def journal(self, base: str, lang: str, names: tuple[str, ...], *, checkin: bool) -> str:
        lang = lang if lang in JOURNAL_DETAIL else "nl"
        template = (CHECKIN_DETAIL if checkin else JOURNAL_DETAIL)[lang]
        return self._unique(base, template, {"weekday": tuple(d[lang] for d in WEEKDAYS), "name": names})

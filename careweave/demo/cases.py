"""The eight situations of the first stakeholder forum (``shared/seeds/000_…txt`` l. 356-364).

Each template says who is typically around such a person and what their plan looks like. The
content is in the person's own language (Dutch or French: ELZ Zora borders Brussels), because a
plan is written with and for the person, not in the reader's interface language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

T = dict[str, str]  # text per language: {"nl": ..., "fr": ...}


@dataclass(frozen=True)
class GoalTemplate:
    text: T
    domain: str
    kind: str = "care"
    life_goal: int | None = 0
    is_medical: bool = False


@dataclass(frozen=True)
class TaskTemplate:
    text: T
    assignee: str  # a discipline code, "carer" or "person"
    goal: int | None = 0
    due_in_days: int | None = 7
    done: bool = False
    is_medical: bool = False


@dataclass(frozen=True)
class JournalTemplate:
    text: T
    author: str  # a discipline code or "carer"
    days_ago: int
    is_medical: bool = False
    carer_checkin: bool = False
    feeling: str = ""  # a carer check-in's answer: good, heavy or too_much


@dataclass(frozen=True)
class CaseTemplate:
    key: str
    title: T
    share: int  # how many of the 200 demo persons
    age: tuple[int, int]
    team: tuple[str, ...]  # disciplines of the professionals in the team
    carers: tuple[str, ...]  # relationships of informal carers
    life_goals: tuple[T, ...]
    goals: tuple[GoalTemplate, ...]
    tasks: tuple[TaskTemplate, ...]
    journal: tuple[JournalTemplate, ...]
    coordinator: str | None = None  # discipline, "carer", "person" or None
    case_management: float = 0.0  # share of persons with an appointed case manager
    representative: bool = False  # the first carer represents the person
    living_situation: T = field(default_factory=dict)
    communication_needs: str = ""


CASES: tuple[CaseTemplate, ...] = (
    CaseTemplate(
        key="young_onset_dementia",
        title={"nl": "Leven met jongdementie", "fr": "Vivre avec une démence précoce"},
        share=15,
        age=(52, 64),
        team=("gp", "home_nurse", "ot", "psychologist", "social_worker"),
        carers=("partner", "child"),
        life_goals=(
            {
                "nl": "Ik wil zo lang mogelijk thuis blijven wonen bij mijn gezin.",
                "fr": "Je veux rester le plus longtemps possible à la maison avec ma famille.",
            },
            {
                "nl": "Ik wil iets zinvols blijven doen, ook al kan ik niet meer werken.",
                "fr": "Je veux continuer à faire quelque chose d'utile, même si je ne peux plus travailler.",
            },
        ),
        goals=(
            GoalTemplate(
                {
                    "nl": "Dagstructuur met vaste momenten behouden",
                    "fr": "Garder une structure de journée avec des moments fixes",
                },
                "daily_living",
                "support",
            ),
            GoalTemplate(
                {
                    "nl": "Zinvolle dagbesteding vinden (vrijwilligerswerk, dagcentrum jonge personen)",
                    "fr": "Trouver une activité de jour qui a du sens (bénévolat, centre de jour)",
                },
                "work_school",
                "support",
                1,
            ),
            GoalTemplate(
                {
                    "nl": "Partner ondersteunen zodat de zorg draaglijk blijft",
                    "fr": "Soutenir le partenaire pour que les soins restent supportables",
                },
                "carer",
                "support",
            ),
            GoalTemplate(
                {
                    "nl": "Medicatie correct innemen met hulp van een weekdoos",
                    "fr": "Prendre correctement les médicaments avec un pilulier",
                },
                "health",
                "care",
                0,
                True,
            ),
        ),
        tasks=(
            TaskTemplate(
                {
                    "nl": "Weekplanner op de koelkast samen opstellen",
                    "fr": "Établir ensemble un planning hebdomadaire sur le frigo",
                },
                "ot",
                0,
                10,
            ),
            TaskTemplate(
                {
                    "nl": "Contact opnemen met dagcentrum voor jonge personen met dementie",
                    "fr": "Contacter le centre de jour pour jeunes personnes atteintes de démence",
                },
                "social_worker",
                1,
                14,
            ),
            TaskTemplate(
                {"nl": "Lotgenotengroep voor partners opzoeken", "fr": "Chercher un groupe de parole pour partenaires"},
                "carer",
                2,
                21,
            ),
            TaskTemplate(
                {"nl": "Weekdoos klaarzetten", "fr": "Préparer le pilulier"}, "home_nurse", 3, 2, is_medical=True
            ),
            TaskTemplate(
                {"nl": "Aanvraag zorgbudget ingediend", "fr": "Demande de budget de soins introduite"},
                "social_worker",
                2,
                -10,
                True,
            ),
        ),
        journal=(
            JournalTemplate(
                {
                    "nl": "Goed gesprek gehad over de dagbesteding; voorkeur voor tuinieren.",
                    "fr": "Bonne discussion sur l'activité de jour : préférence pour le jardinage.",
                },
                "ot",
                6,
            ),
            JournalTemplate(
                {"nl": "Het gaat moeilijk 's avonds, ik slaap slecht.", "fr": "Le soir c'est difficile, je dors mal."},
                "carer",
                2,
                carer_checkin=True,
                feeling="heavy",
            ),
        ),
        coordinator="social_worker",
        case_management=0.15,
        living_situation={
            "nl": "woont samen met partner en twee tieners",
            "fr": "vit avec son partenaire et deux adolescents",
        },
    ),
    CaseTemplate(
        key="frail_older_dementia",
        title={"nl": "Thuis wonen met dementie", "fr": "Vivre à domicile avec une démence"},
        share=50,
        age=(78, 96),
        team=("gp", "home_nurse", "family_aid", "pharmacist", "physio"),
        carers=("child", "neighbour"),
        life_goals=(
            {
                "nl": "Ik wil in mijn eigen huis blijven, bij mijn tuin.",
                "fr": "Je veux rester dans ma maison, près de mon jardin.",
            },
            {"nl": "Ik wil mijn kleinkinderen blijven zien.", "fr": "Je veux continuer à voir mes petits-enfants."},
        ),
        goals=(
            GoalTemplate(
                {
                    "nl": "Veilig thuis wonen: vallen voorkomen",
                    "fr": "Vivre en sécurité à domicile : prévenir les chutes",
                },
                "daily_living",
                "care",
            ),
            GoalTemplate(
                {
                    "nl": "Dagelijkse hulp bij wassen en aankleden",
                    "fr": "Aide quotidienne pour la toilette et l'habillage",
                },
                "daily_living",
                "care",
            ),
            GoalTemplate(
                {
                    "nl": "Eenzaamheid verminderen: wekelijks bezoek en dagverzorging",
                    "fr": "Réduire la solitude : visite hebdomadaire et centre de jour",
                },
                "social",
                "support",
                1,
            ),
            GoalTemplate(
                {"nl": "Medicatieschema vereenvoudigen", "fr": "Simplifier le schéma de médication"},
                "health",
                "care",
                0,
                True,
            ),
        ),
        tasks=(
            TaskTemplate(
                {
                    "nl": "Valrisico-inschatting en huisaanpassingen bekijken",
                    "fr": "Évaluer le risque de chute et les adaptations du logement",
                },
                "physio",
                0,
                7,
            ),
            TaskTemplate({"nl": "Dagelijkse ochtendzorg", "fr": "Soins du matin quotidiens"}, "home_nurse", 1, None),
            TaskTemplate({"nl": "Boodschappen op donderdag", "fr": "Courses le jeudi"}, "carer", 2, 3),
            TaskTemplate(
                {"nl": "Medicatienazicht met de apotheker", "fr": "Revue de la médication avec le pharmacien"},
                "pharmacist",
                3,
                14,
                is_medical=True,
            ),
            TaskTemplate(
                {"nl": "Personenalarm geïnstalleerd", "fr": "Alarme personnelle installée"}, "family_aid", 0, -5, True
            ),
        ),
        journal=(
            JournalTemplate(
                {
                    "nl": "Mevrouw was vanochtend wat verward, maar at goed.",
                    "fr": "Madame était un peu confuse ce matin, mais a bien mangé.",
                },
                "family_aid",
                1,
            ),
            JournalTemplate(
                {"nl": "Bloeddruk 145/85, medicatie ongewijzigd.", "fr": "Tension 145/85, médication inchangée."},
                "gp",
                5,
                True,
            ),
            JournalTemplate(
                {
                    "nl": "Ik kan niet elke dag langskomen; kan iemand de woensdag overnemen?",
                    "fr": "Je ne peux pas passer tous les jours ; quelqu'un peut-il reprendre le mercredi ?",
                },
                "carer",
                3,
                carer_checkin=True,
                feeling="too_much",
            ),
        ),
        coordinator="home_nurse",
        case_management=0.05,
        representative=True,
        living_situation={"nl": "woont alleen, dochter in de buurt", "fr": "vit seule, sa fille habite à proximité"},
    ),
    CaseTemplate(
        key="complex_mental_health",
        title={
            "nl": "Herstel bij complexe psychische kwetsbaarheid",
            "fr": "Rétablissement avec une vulnérabilité psychique complexe",
        },
        share=20,
        age=(25, 60),
        team=("gp", "psychologist", "social_worker", "peer_worker"),
        carers=("sibling",),
        life_goals=(
            {"nl": "Ik wil weer grip krijgen op mijn dagen.", "fr": "Je veux reprendre le contrôle de mes journées."},
            {"nl": "Ik wil opnieuw deeltijds aan de slag.", "fr": "Je veux retravailler à temps partiel."},
        ),
        goals=(
            GoalTemplate(
                {
                    "nl": "Crisisplan opstellen met signalen en contactpersonen",
                    "fr": "Établir un plan de crise avec signaux et personnes de contact",
                },
                "mental",
                "care",
                0,
                True,
            ),
            GoalTemplate(
                {"nl": "Traject naar begeleid werk starten", "fr": "Démarrer un trajet vers l'emploi accompagné"},
                "work_school",
                "support",
                1,
            ),
            GoalTemplate(
                {"nl": "Schulden in kaart brengen", "fr": "Faire le point sur les dettes"}, "income", "support"
            ),
        ),
        tasks=(
            TaskTemplate(
                {"nl": "Crisisplan bespreken", "fr": "Discuter le plan de crise"}, "psychologist", 0, 5, is_medical=True
            ),
            TaskTemplate(
                {"nl": "Afspraak bij GTB (arbeidszorg) maken", "fr": "Prendre rendez-vous pour l'emploi accompagné"},
                "social_worker",
                1,
                14,
            ),
            TaskTemplate(
                {"nl": "Wekelijks koffiemoment met ervaringsdeskundige", "fr": "Café hebdomadaire avec le pair-aidant"},
                "peer_worker",
                0,
                7,
            ),
            TaskTemplate(
                {"nl": "Overzicht van rekeningen meebrengen", "fr": "Apporter l'aperçu des factures"}, "person", 2, 10
            ),
        ),
        journal=(
            JournalTemplate(
                {"nl": "Rustige week, afspraken nagekomen.", "fr": "Semaine calme, rendez-vous respectés."},
                "peer_worker",
                4,
            ),
            JournalTemplate(
                {
                    "nl": "Ik maak me zorgen, mijn broer neemt zijn telefoon niet op.",
                    "fr": "Je m'inquiète, mon frère ne répond pas au téléphone.",
                },
                "carer",
                1,
                carer_checkin=True,
                feeling="heavy",
            ),
        ),
        coordinator="psychologist",
        case_management=0.3,
        living_situation={"nl": "woont alleen in een studio", "fr": "vit seul dans un studio"},
    ),
    CaseTemplate(
        key="multimorbidity",
        title={
            "nl": "Gezond leven met diabetes, hartfalen en overgewicht",
            "fr": "Vivre bien avec diabète, insuffisance cardiaque et surpoids",
        },
        share=50,
        age=(55, 85),
        team=("gp", "home_nurse", "dietitian", "physio", "pharmacist"),
        carers=("partner",),
        life_goals=(
            {
                "nl": "Ik wil weer zelf naar de markt kunnen wandelen.",
                "fr": "Je veux pouvoir marcher seule jusqu'au marché.",
            },
            {
                "nl": "Ik wil op de trouw van mijn kleindochter dansen.",
                "fr": "Je veux danser au mariage de ma petite-fille.",
            },
        ),
        goals=(
            GoalTemplate(
                {"nl": "Dagelijks 20 minuten wandelen", "fr": "Marcher 20 minutes par jour"}, "health", "care"
            ),
            GoalTemplate({"nl": "HbA1c onder 7% brengen", "fr": "Ramener l'HbA1c sous 7 %"}, "health", "care", 0, True),
            GoalTemplate(
                {"nl": "Gezonder koken met de hele familie", "fr": "Cuisiner plus sainement en famille"},
                "daily_living",
                "support",
                1,
            ),
        ),
        tasks=(
            TaskTemplate({"nl": "Wandelschema opstellen", "fr": "Établir un programme de marche"}, "physio", 0, 7),
            TaskTemplate({"nl": "Bloedafname HbA1c", "fr": "Prise de sang HbA1c"}, "home_nurse", 1, 3, is_medical=True),
            TaskTemplate(
                {"nl": "Recepten voor de week uitkiezen", "fr": "Choisir les recettes de la semaine"}, "carer", 2, 4
            ),
            TaskTemplate(
                {"nl": "Voedingsadvies en boodschappenlijst", "fr": "Conseils nutritionnels et liste de courses"},
                "dietitian",
                2,
                10,
            ),
            TaskTemplate({"nl": "Gewicht noteren op maandag", "fr": "Noter le poids le lundi"}, "person", 0, 1),
        ),
        journal=(
            JournalTemplate(
                {"nl": "Al drie keer gewandeld deze week!", "fr": "Déjà marché trois fois cette semaine !"}, "carer", 2
            ),
            JournalTemplate(
                {"nl": "Voeten nagekeken, geen wondjes.", "fr": "Pieds contrôlés, pas de plaies."},
                "home_nurse",
                4,
                True,
            ),
        ),
        coordinator="home_nurse",
        living_situation={"nl": "woont samen met partner", "fr": "vit avec son partenaire"},
    ),
    CaseTemplate(
        key="young_disability_mental_health",
        title={"nl": "Jong volwassen worden met een beperking", "fr": "Devenir jeune adulte avec un handicap"},
        share=15,
        age=(16, 24),
        team=("gp", "psychologist", "educator", "social_worker"),
        carers=("parent",),
        life_goals=(
            {"nl": "Ik wil op kot zoals mijn vrienden.", "fr": "Je veux vivre en kot comme mes amis."},
            {"nl": "Ik wil een diploma halen.", "fr": "Je veux obtenir un diplôme."},
        ),
        goals=(
            GoalTemplate(
                {
                    "nl": "Zelfstandig wonen voorbereiden (begeleid wonen)",
                    "fr": "Préparer la vie autonome (logement accompagné)",
                },
                "housing",
                "support",
            ),
            GoalTemplate(
                {
                    "nl": "Overgang van jeugd- naar volwassenenhulp regelen",
                    "fr": "Organiser la transition de l'aide jeunesse vers l'aide adulte",
                },
                "mental",
                "care",
                0,
                True,
            ),
            GoalTemplate(
                {"nl": "Redelijke aanpassingen op school", "fr": "Aménagements raisonnables à l'école"},
                "work_school",
                "support",
                1,
            ),
        ),
        tasks=(
            TaskTemplate(
                {"nl": "Aanvraag persoonsvolgend budget opvolgen", "fr": "Suivre la demande de budget personnel"},
                "social_worker",
                0,
                21,
            ),
            TaskTemplate(
                {"nl": "Overleg met school over aanpassingen", "fr": "Concertation avec l'école sur les aménagements"},
                "educator",
                2,
                7,
            ),
            TaskTemplate(
                {"nl": "Oefenen met openbaar vervoer", "fr": "S'exercer aux transports en commun"}, "person", 0, 14
            ),
        ),
        journal=(
            JournalTemplate(
                {"nl": "Eerste weekend alleen gelukt!", "fr": "Premier week-end seul réussi !"}, "educator", 3
            ),
        ),
        coordinator="educator",
        case_management=0.2,
        representative=True,
        living_situation={"nl": "woont bij ouders", "fr": "vit chez ses parents"},
    ),
    CaseTemplate(
        key="addiction_mental_health",
        title={"nl": "Herstel van verslaving", "fr": "Rétablissement d'une addiction"},
        share=20,
        age=(28, 62),
        team=("gp", "psychologist", "social_worker", "pharmacist"),
        carers=("friend",),
        life_goals=(
            {"nl": "Ik wil mijn dochter terug op bezoek krijgen.", "fr": "Je veux que ma fille revienne me voir."},
        ),
        goals=(
            GoalTemplate(
                {"nl": "Stabiele substitutiebehandeling", "fr": "Traitement de substitution stable"},
                "health",
                "care",
                0,
                True,
            ),
            GoalTemplate(
                {
                    "nl": "Huur op tijd betalen via budgetbeheer",
                    "fr": "Payer le loyer à temps via la gestion budgétaire",
                },
                "income",
                "support",
            ),
            GoalTemplate(
                {"nl": "Contact met dochter herstellen", "fr": "Renouer le contact avec sa fille"}, "social", "support"
            ),
        ),
        tasks=(
            TaskTemplate(
                {"nl": "Dagelijkse aflevering methadon", "fr": "Délivrance quotidienne de méthadone"},
                "pharmacist",
                0,
                None,
                is_medical=True,
            ),
            TaskTemplate(
                {"nl": "Budgetbeheer OCMW opstarten", "fr": "Démarrer la gestion budgétaire au CPAS"},
                "social_worker",
                1,
                7,
            ),
            TaskTemplate(
                {"nl": "Gesprek voorbereiden voor bezoek dochter", "fr": "Préparer la visite de sa fille"},
                "psychologist",
                2,
                14,
            ),
        ),
        journal=(
            JournalTemplate(
                {
                    "nl": "Twee afspraken gemist, opnieuw contact gezocht.",
                    "fr": "Deux rendez-vous manqués, nouveau contact pris.",
                },
                "social_worker",
                2,
            ),
        ),
        coordinator="social_worker",
        case_management=0.4,
        living_situation={"nl": "woont alleen, huurwoning", "fr": "vit seul, logement locatif"},
    ),
    CaseTemplate(
        key="youth_without_housing",
        title={"nl": "Een thuis vinden", "fr": "Trouver un chez-soi"},
        share=15,
        age=(18, 25),
        team=("social_worker", "gp", "educator"),
        carers=("friend",),
        life_goals=(
            {
                "nl": "Ik wil een eigen plek waar ik veilig ben.",
                "fr": "Je veux un endroit à moi où je suis en sécurité.",
            },
            {"nl": "Ik wil mijn school afmaken.", "fr": "Je veux terminer l'école."},
        ),
        goals=(
            GoalTemplate(
                {"nl": "Noodopvang en daarna begeleid wonen", "fr": "Hébergement d'urgence puis logement accompagné"},
                "housing",
                "support",
            ),
            GoalTemplate(
                {
                    "nl": "Leefloon en ziekteverzekering in orde brengen",
                    "fr": "Régulariser le revenu d'intégration et la mutuelle",
                },
                "income",
                "support",
            ),
            GoalTemplate(
                {"nl": "Terug naar school of opleiding", "fr": "Retour à l'école ou en formation"},
                "work_school",
                "support",
                1,
            ),
        ),
        tasks=(
            TaskTemplate(
                {"nl": "Aanvraag leefloon bij OCMW", "fr": "Demande de revenu d'intégration au CPAS"},
                "social_worker",
                1,
                3,
            ),
            TaskTemplate(
                {"nl": "Huisarts kiezen en GMD openen", "fr": "Choisir un médecin et ouvrir un DMG"}, "gp", 1, 10
            ),
            TaskTemplate(
                {"nl": "Inschrijving centrum deeltijds leren", "fr": "Inscription en enseignement en alternance"},
                "educator",
                2,
                21,
            ),
        ),
        journal=(
            JournalTemplate(
                {"nl": "Slaapt deze week bij een vriend.", "fr": "Dort cette semaine chez un ami."}, "social_worker", 1
            ),
        ),
        coordinator="social_worker",
        case_management=0.3,
        living_situation={"nl": "zonder vaste verblijfplaats", "fr": "sans domicile fixe"},
    ),
    CaseTemplate(
        key="hearing_impairment",
        title={"nl": "Zorg die ik kan volgen", "fr": "Des soins que je peux suivre"},
        share=15,
        age=(35, 80),
        team=("gp", "speech", "social_worker"),
        carers=("partner",),
        life_goals=(
            {
                "nl": "Ik wil zelf mijn afspraken kunnen regelen.",
                "fr": "Je veux pouvoir gérer mes rendez-vous moi-même.",
            },
        ),
        goals=(
            GoalTemplate(
                {
                    "nl": "Tolk Vlaamse Gebarentaal bij elke consultatie",
                    "fr": "Interprète en langue des signes à chaque consultation",
                },
                "social",
                "support",
            ),
            GoalTemplate(
                {
                    "nl": "Afspraken via sms of e-mail in plaats van telefoon",
                    "fr": "Rendez-vous par SMS ou e-mail plutôt que par téléphone",
                },
                "daily_living",
                "support",
            ),
        ),
        tasks=(
            TaskTemplate(
                {"nl": "Tolkuren aanvragen bij CAB", "fr": "Demander des heures d'interprétation"},
                "social_worker",
                0,
                10,
            ),
            TaskTemplate(
                {
                    "nl": "Communicatievoorkeur in het dossier noteren",
                    "fr": "Noter la préférence de communication au dossier",
                },
                "gp",
                1,
                2,
                True,
            ),
        ),
        journal=(
            JournalTemplate(
                {"nl": "Consultatie met tolk verliep vlot.", "fr": "Consultation avec interprète fluide."}, "gp", 8
            ),
        ),
        coordinator="person",
        communication_needs="Vlaamse Gebarentaal (VGT) / langue des signes; sms of e-mail, niet bellen",
        living_situation={"nl": "woont samen met partner", "fr": "vit avec son partenaire"},
    ),
)

assert sum(c.share for c in CASES) == 200

"""What pedagogy adds to the shared pages (imported by ``PedagogyConfig.ready``)."""

from accounts.permissions import SETTINGS_PROFILES, for_profiles
from establishments import extensions

from . import resources  # noqa: F401  (a deleted resource loses its file: post_delete receiver)

extensions.settings_tabs.register(extensions.Link(
    key="scenario_labels", label="Masque de saisie", url_name="settings_scenario_labels",
    visible=for_profiles(*SETTINGS_PROFILES), order=40))

extensions.audit_labels.register({
    "scenario.create": "Création d'un scénario pédagogique",
    "scenario.duplicate": "Duplication d'un scénario pédagogique",
    "scenario.delete": "Suppression d'un scénario pédagogique",
    "scenario.share": "Envoi d'un scénario à un autre établissement",
    "scenario.import": "Import d'un scénario reçu",
    "scenario.resource.add": "Ajout d'une ressource à un scénario",
    "scenario.resource.delete": "Suppression d'une ressource d'un scénario",
    "establishment.scenario_labels": "Modification du masque de saisie",
    "establishment.scenario_labels.reset": "Réinitialisation du masque de saisie",
})

# Teaching scenarios (issue 11) ---------------------------------------------------------------------------------

from accounts import access  # noqa: E402
from accounts.models import Profile  # noqa: E402

from .demo import load_demo_scenarios  # noqa: E402
from .models import Scenario, ScenarioShare  # noqa: E402
from .permissions import SCENARIO_READERS as READERS  # noqa: E402

SCENARIOS = extensions.Link(
    "scenarios", "Gérer et évaluer les activités de formation", "scenarios", for_profiles(*READERS),
    "Les scénarios pédagogiques de l'établissement, par diplôme et niveau : les écrire, les partager, "
    "les dupliquer.", order=60)
extensions.menu.register(SCENARIOS)
extensions.home_cards.register(SCENARIOS)
extensions.demo_content.register(load_demo_scenarios)


@access.register_rule(Scenario)
def scenario_rule(user, action: str, scenario: Scenario) -> bool:
    """Every teacher, the DDFPT, the chef and the inspector read; its authors and co-authors change it."""
    if action == access.CHANGE:
        return user.profile == Profile.TEACHER and scenario.authors.filter(pk=user.pk).exists()
    return user.profile in READERS


@access.register_rule(ScenarioShare)
def received_scenario_rule(user, action: str, share: ScenarioShare) -> bool:
    """A scenario received by the establishment: its teachers read and import it."""
    return user.profile == Profile.TEACHER or (action == access.VIEW and user.profile in READERS)


# Grilles de positionnement (issue 12) --------------------------------------------------------------------------

from . import grid_selectors, grids  # noqa: E402
from .demo_grids import load_demo_grids  # noqa: E402
from .evaluation_models import Grid  # noqa: E402
from .scenario_uses import register_scenario_use  # noqa: E402

access.register_rule(Grid)(grids.grid_rule)
# A scenario evaluated by a grid cannot be deleted; its page and the list count its grids (« Évaluations »).
register_scenario_use("evaluations", "grille(s) de positionnement", grid_selectors.grid_counts)
extensions.demo_content.register(load_demo_grids)  # after the scenarios it evaluates
extensions.audit_labels.register({
    "grid.create": "Création d'une grille de positionnement",
    "grid.update": "Modification d'une grille de positionnement",
    "grid.delete": "Suppression d'une grille de positionnement",
})

# Bilan entreprise of a PFMP (issue 13) -------------------------------------------------------------------------
from . import company_bilans  # noqa: E402, F401  (fills the portfolio's and the periods' hooks)

extensions.audit_labels.register({
    "company_bilan.link": "Envoi du lien du bilan entreprise au tuteur",
    "company_bilan.revoke": "Révocation du lien du tuteur",
    "company_bilan.tutor": "Bilan entreprise signé par le tuteur",
    "company_bilan.validate": "Validation d'un bilan entreprise",
})

from .demo_company import load_demo_company  # noqa: E402

extensions.demo_content.register(load_demo_company)  # after the periods' demo (its PFMP, if any)
# Suivi des acquis (issue 12) -------------------------------------------------------------------------------------

from .views_followup import LEARNER_READERS as FOLLOWUP_READERS  # noqa: E402
from .views_followup import SETTINGS_EDITORS as EVALUATION_SETTINGS_EDITORS  # noqa: E402

FOLLOWUP = extensions.Link(
    "followup", "Suivre les acquis", "followup", for_profiles(*FOLLOWUP_READERS),
    "Les niveaux proposés par compétence, leur évolution dans le temps et la carte de chaleur de la classe.",
    order=65)
extensions.menu.register(FOLLOWUP)
extensions.home_cards.register(FOLLOWUP)
extensions.settings_tabs.register(extensions.Link(
    key="evaluation", label="Évaluation", url_name="settings_evaluation",
    visible=for_profiles(*EVALUATION_SETTINGS_EDITORS), order=45))
extensions.audit_labels.register({
    "establishment.evaluation_settings": "Modification des paramètres de l'évaluation (niveau proposé)",
})
# Bilans intermédiaires (issue 12) ------------------------------------------------------------------------------

from . import bilan_documents  # noqa: E402, F401  (its PDF producers)
from .bilan_selectors import STAFF_READERS as BILAN_STAFF  # noqa: E402
from .bilan_selectors import may_read as may_read_bilan  # noqa: E402
from .bilan_selectors import may_write as may_write_bilan  # noqa: E402
from .demo_bilans import load_demo_bilans  # noqa: E402
from .evaluation_models import Bilan  # noqa: E402

BILANS = extensions.Link(
    "bilans", "Éditer les bilans", "bilans", for_profiles(*BILAN_STAFF),
    "Les bilans intermédiaires de chaque période : niveaux retenus par compétence, appréciation, validation.",
    order=70)
OWN_BILANS = extensions.Link(
    "bilans_own", "Bilans intermédiaires", "bilans", for_profiles(Profile.LEARNER, Profile.GUARDIAN),
    "Les bilans validés par les enseignants, période par période.", order=70)
for _link in (BILANS, OWN_BILANS):
    extensions.menu.register(_link)
    extensions.home_cards.register(_link)
extensions.demo_content.register(load_demo_bilans)  # after the scenarios: it uses the demo class's cohort
extensions.audit_labels.register({
    "bilan.validate": "Validation d'un bilan intermédiaire",
    "bilan.reopen": "Réouverture d'un bilan intermédiaire validé",
})


@access.register_rule(Bilan)
def bilan_rule(user, action: str, bilan: Bilan) -> bool:
    """Read: see ``bilan_selectors.may_read``; change: a teacher of the learner, while it is a draft."""
    if action == access.CHANGE:
        return bilan.status == Bilan.Status.DRAFT and may_write_bilan(user, bilan.learner)
    return may_read_bilan(user, bilan)
# Book des apprenants and passeport professionnel (issue 14) -----------------------------------------------------

from .book import book_enabled  # noqa: E402
from .book_models import Achievement  # noqa: E402
from .demo_book import load_demo_book  # noqa: E402


def _book_for(*profiles):
    def visible(user) -> bool:
        return user.profile in profiles and book_enabled(user.establishment)
    return visible


for book_link in (
    extensions.Link("book", "Book des apprenants", "book", _book_for(Profile.TEACHER),
                    "Les réussites de vos apprenants, en entreprise et à l'établissement : les lire, les commenter.",
                    order=85),
    extensions.Link("my_book", "Mon book", "book", _book_for(Profile.LEARNER),
                    "Mes réussites, en entreprise et à l'établissement : les noter, choisir les meilleures pour mon "
                    "passeport, les exporter.", order=85),
):
    extensions.menu.register(book_link)
    extensions.home_cards.register(book_link)
extensions.demo_content.register(load_demo_book)  # late: after the demo classes, evaluations and periods


@access.register_rule(Achievement)
def achievement_rule(user, action: str, achievement: Achievement) -> bool:
    """The learner reads and changes their own achievements; the teachers who teach them read (and comment)."""
    if user.profile == Profile.LEARNER:
        return achievement.learner_id == user.pk
    if action == access.VIEW and user.profile == Profile.TEACHER:
        return access.visible_learners(user).filter(pk=achievement.learner_id).exists()
    return False

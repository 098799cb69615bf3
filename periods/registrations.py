"""What periods adds to the shared pages (imported by ``PeriodsConfig.ready``)."""

from django.db.models import Count, Q, Sum

from accounts import access
from accounts.models import Profile
from accounts.permissions import for_profiles
from establishments import extensions

from . import uses
from .demo import load_demo_periods
from .demo_official import load_demo_official_periods
from .models import PedagogicalAnnex, Placement, WorkPeriod
from .permissions import ANNEX_WRITERS, LEARNER, PERIOD_READERS, PERIOD_WRITERS

# Work periods: annexes pédagogiques, PFMP / périodes employeur, days (issue 13) ---------------------------------

PFMP = extensions.Link(
    "pfmp", "Périodes en entreprise", "pfmp", for_profiles(*PERIOD_READERS),
    "Les annexes pédagogiques de chaque niveau, les PFMP et périodes employeur déclarées, les jours effectués.",
    order=70)
MY_PERIODS = extensions.Link(
    "my_periods", "Mes périodes en entreprise", "my_periods", for_profiles(*LEARNER),
    "Vos PFMP ou périodes employeur : dates, objectifs, activités prévues, jours effectués.", order=70)
extensions.menu.register(PFMP)
extensions.home_cards.register(PFMP)
extensions.menu.register(MY_PERIODS)
extensions.home_cards.register(MY_PERIODS)
extensions.demo_content.register(load_demo_periods)

extensions.audit_labels.register({
    "annex.create": "Création d'une annexe pédagogique",
    "annex.update": "Modification d'une annexe pédagogique",
    "annex.duplicate": "Duplication d'une annexe pédagogique",
    "annex.delete": "Suppression d'une annexe pédagogique",
    "period.create": "Déclaration d'une période en entreprise",
    "period.update": "Modification d'une période en entreprise",
    "period.delete": "Suppression d'une période en entreprise",
    "period.remove_learner": "Retrait d'un apprenant d'une période en entreprise",
    "period.referent": "Désignation du référent d'apprenants en entreprise",
    "period.days": "Saisie des jours effectués en entreprise",
    "period.weeks_minimum": "Durée minimale en entreprise d'un diplôme",
})


access.register_rule(PedagogicalAnnex)(access.establishment_wide(view=PERIOD_READERS, change=ANNEX_WRITERS))


@access.register_rule(WorkPeriod)
def work_period_rule(user, action: str, period: WorkPeriod) -> bool:
    """The DDFPT (and the chef) change; the staff and every teacher read; a learner reads a period they are on."""
    if action == access.CHANGE:
        return user.profile in PERIOD_WRITERS
    if user.profile in PERIOD_READERS:
        return True
    if user.profile in (Profile.LEARNER, Profile.TUTOR, Profile.GUARDIAN):
        return period.placements.filter(learner__in=access.visible_learners(user).values("pk")).exists()
    return False


access.register_rule(Placement)(access.learner_owned("learner"))


def _placements(period_ids):
    return dict(Placement.objects.filter(period_id__in=period_ids).values("period_id")
                .annotate(n=Count("id")).values_list("period_id", "n"))


def _days(period_ids):
    return {pk: n or 0 for pk, n in Placement.objects.filter(period_id__in=period_ids).values("period_id")
            .annotate(n=Sum("days_done", filter=Q(days_done__gt=0))).values_list("period_id", "n")}


uses.register_period_use("placements", "apprenant(s) affecté(s) (entreprise, tuteur, jours)", _placements)
uses.register_period_use("days", "jour(s) effectué(s) saisi(s)", _days)


# Official periods (issue 14, set on the pilot console) ------------------------------------------------------------

extensions.audit_labels.register({
    "official_period.create": "Ajout d'une période officielle",
    "official_period.update": "Modification d'une période officielle",
    "official_period.delete": "Suppression d'une période officielle",
})
extensions.demo_content.register(load_demo_official_periods)
# Portfolio des activités en entreprise (issue 13) ----------------------------------------------------------------
from . import portfolio  # noqa: E402  (registers the fiches as a use of a period)

PORTFOLIOS = extensions.Link(
    "portfolios", "Portfolios PFMP", "portfolios", for_profiles(*portfolio.READERS),
    "Les PFMP et périodes employeur : entreprise, tuteur, fiches activités, bilan entreprise.", order=72)
extensions.menu.register(PORTFOLIOS)
extensions.home_cards.register(PORTFOLIOS)
extensions.audit_labels.register({
    "portfolio.selection": "Choix des compétences d'un bilan entreprise",
})

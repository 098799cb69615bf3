"""What periods adds to the shared pages (imported by ``PeriodsConfig.ready``)."""

from accounts.permissions import for_profiles
from establishments import extensions

# Portfolio des activités en entreprise (issue 13) ----------------------------------------------------------------
from . import portfolio  # registers the fiches as a use of a period

PORTFOLIOS = extensions.Link(
    "portfolios", "Portfolios des activités en entreprise", "portfolios", for_profiles(*portfolio.READERS),
    "Les PFMP et périodes employeur : entreprise, tuteur, fiches activités, bilan entreprise.", order=70)
extensions.menu.register(PORTFOLIOS)
extensions.home_cards.register(PORTFOLIOS)
extensions.audit_labels.register({
    "portfolio.selection": "Choix des compétences d'un bilan entreprise",
})

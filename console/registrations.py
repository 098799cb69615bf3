"""What the pilot console adds to the shared pages (imported by ``ConsoleConfig.ready``): its menu entry and home
card, the landing page of the DDFPT and the chef d'établissement, the set-up progress shown on the platform console
and the labels of its audit actions."""

from accounts.permissions import for_profiles
from establishments import extensions

from .progress import setup_steps
from .views import CONSOLE_PROFILES

CONSOLE = extensions.Link("console", "Console de pilotage", "console", for_profiles(*CONSOLE_PROFILES),
                          "Mise en service, périodes officielles, bilans intermédiaires, couverture du référentiel, "
                          "book des apprenants.", order=1)
extensions.menu.register(CONSOLE)
extensions.home_cards.register(CONSOLE)
extensions.landing_pages.register(CONSOLE)
extensions.setup_progress.register(setup_steps)
extensions.audit_labels.register({
    "book.enable": "Activation du book des apprenants",
    "book.disable": "Désactivation du book des apprenants",
})

"""The modules each profile sees on its home page and in the navigation.

Apps add their entry here as they arrive: ``url_name`` is a name under the ``tenant:`` namespace, ``None``
shows the module as coming soon ("bientôt").
"""

from dataclasses import dataclass

from django.urls import reverse

from .models import Profile

P = Profile


@dataclass(frozen=True)
class Module:
    label: str
    description: str
    profiles: frozenset
    url_name: str | None = None


MODULES: list[Module] = [
    Module("Paramètres", "Identité de l'établissement, logo, transferts, masque de saisie.",
           frozenset({P.ADMIN, P.HEAD}), "tenant:settings_identity"),
    Module("Importations", "Import des fichiers STS-web et SIECLE, historique des imports.",
           frozenset({P.ADMIN}), "tenant:imports"),
    Module("Utilisateurs", "Gestion des utilisateurs et des accès apprenants.",
           frozenset({P.ADMIN, P.HEAD, P.DDFPT}), "tenant:users"),
    Module("Console de pilotage", "Avancement de la mise en place, périodes officielles, bilans.",
           frozenset({P.DDFPT, P.HEAD})),
    Module("Accès inspecteur", "Ouvrir ou fermer un accès en lecture pour un inspecteur.",
           frozenset({P.DDFPT, P.HEAD}), "tenant:inspector_access"),
    Module("Scénarios pédagogiques", "Créer, partager et exporter des scénarios.", frozenset({P.TEACHER})),
    Module("Évaluations", "Grilles de positionnement et suivi des acquis.", frozenset({P.TEACHER, P.INSPECTOR})),
    Module("Bilans", "Bilans intermédiaires par période officielle.", frozenset({P.TEACHER, P.INSPECTOR})),
    Module("PFMP", "Annexes pédagogiques, périodes en entreprise et portfolios.",
           frozenset({P.TEACHER, P.TUTOR, P.DDFPT})),
    Module("Mon book", "Mes activités et mes réalisations.", frozenset({P.LEARNER})),
    Module("Ma progression", "Mon niveau sur chaque compétence.", frozenset({P.LEARNER, P.GUARDIAN})),
    Module("Passeport professionnel", "Exporter mon passeport professionnel.", frozenset({P.LEARNER}),
           url_name="tenant:passport"),
]


def menu_for(user) -> list[dict]:
    establishment = user.establishment
    if establishment is None:
        return []
    items = []
    for module in MODULES:
        if user.profile not in module.profiles:
            continue
        url = reverse(module.url_name, kwargs={"uai": establishment.uai}) if module.url_name else None
        items.append({"label": module.label, "description": module.description, "url": url})
    return items

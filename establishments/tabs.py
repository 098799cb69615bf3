"""The tabs of Paramètres. Each tab is its own page; a profile sees only the tabs it may open."""

from django.urls import reverse

from accounts.models import Profile

P = Profile
SETTINGS_PROFILES = (P.ADMIN, P.HEAD)
INSPECTOR_PROFILES = (P.HEAD, P.DDFPT)

SETTINGS_TABS = [
    ("identity", "Établissement", "tenant:settings_identity", SETTINGS_PROFILES),
    ("logo", "Logo", "tenant:settings_logo", SETTINGS_PROFILES),
    ("transfers", "Transferts", "tenant:settings_transfers", SETTINGS_PROFILES),
    ("scenario_labels", "Masque de saisie", "tenant:settings_scenario_labels", SETTINGS_PROFILES),
    ("inspector", "Accès inspecteur", "tenant:inspector_access", INSPECTOR_PROFILES),
    ("audit", "Journal des actions", "tenant:audit_log", SETTINGS_PROFILES),
]

USERS_TABS = [
    ("users", "Gestion des utilisateurs", "tenant:users", (P.ADMIN, P.HEAD, P.DDFPT)),
    ("learner_access", "Accès apprenants", "tenant:learner_access", (P.ADMIN, P.HEAD, P.DDFPT)),
]


def tabs_for(tabs: list, user, current: str) -> list[dict]:
    uai = user.establishment.uai
    return [
        {"key": key, "label": label, "url": reverse(url_name, kwargs={"uai": uai}), "current": key == current}
        for key, label, url_name, profiles in tabs
        if user.profile in profiles
    ]


def settings_tabs(user, current: str) -> list[dict]:
    return tabs_for(SETTINGS_TABS, user, current)


def users_tabs(user, current: str) -> list[dict]:
    return tabs_for(USERS_TABS, user, current)

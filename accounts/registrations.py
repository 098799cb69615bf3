"""What accounts adds to the shared pages (imported by ``AccountsConfig.ready``): its menu entries and home
cards, its Paramètres and Utilisateurs tabs, the labels of its audit actions."""

from establishments.extensions import Link, audit_labels, home_cards, menu, settings_tabs, users_tabs

from .models import Profile
from .permissions import INSPECTOR_PROFILES, SETTINGS_PROFILES, USER_MANAGER_PROFILES, for_profiles

P = Profile

_MODULES = [
    Link("settings", "Paramètres", "settings_identity", for_profiles(*SETTINGS_PROFILES),
         "Identité de l'établissement, logo, transferts, masque de saisie, journal des actions.", order=10),
    Link("users", "Utilisateurs", "users", for_profiles(*USER_MANAGER_PROFILES),
         "Gestion des utilisateurs et des accès apprenants.", order=30),
    Link("inspector_access", "Accès inspecteur", "inspector_access", for_profiles(*INSPECTOR_PROFILES),
         "Ouvrir ou fermer un accès en lecture pour un inspecteur.", order=40),
    Link("passport", "Passeport professionnel", "passport", for_profiles(P.LEARNER),
         "Exporter mon passeport professionnel.", order=90),
]
for link in _MODULES:
    menu.register(link)
    home_cards.register(link)

for link in [
    Link("identity", "Établissement", "settings_identity", for_profiles(*SETTINGS_PROFILES), order=10),
    Link("logo", "Logo", "settings_logo", for_profiles(*SETTINGS_PROFILES), order=20),
    Link("audit", "Journal des actions", "audit_log", for_profiles(*SETTINGS_PROFILES), order=60),
]:
    settings_tabs.register(link)

for link in [
    Link("users", "Gestion des utilisateurs", "users", for_profiles(*USER_MANAGER_PROFILES), order=10),
    Link("learner_access", "Accès apprenants", "learner_access", for_profiles(*USER_MANAGER_PROFILES), order=20),
]:
    users_tabs.register(link)

audit_labels.register({
    "user.create": "Création d'un utilisateur",
    "user.deactivate": "Désactivation d'un utilisateur",
    "user.reactivate": "Réactivation d'un utilisateur",
    "user.password_reset": "Réinitialisation du mot de passe",
    "user.email": "Modification de l'adresse e-mail",
    "learner_access.download": "Téléchargement de la liste des identifiants",
    "inspector.open": "Ouverture d'un accès inspecteur",
    "inspector.close": "Fermeture d'un accès inspecteur",
})

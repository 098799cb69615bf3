"""What imports adds to the shared pages (imported by ``ImportsConfig.ready``)."""

from accounts.models import Profile
from accounts.permissions import for_profiles
from establishments import extensions

IMPORTS = extensions.Link("imports", "Importations", "imports", for_profiles(Profile.ADMIN),
                          "Import des fichiers STS-web et SIECLE, historique des imports.", order=20)
extensions.menu.register(IMPORTS)
extensions.home_cards.register(IMPORTS)

extensions.audit_labels.register({
    "import.apply": "Import de fichiers SIECLE / STS-web",
    "division.create": "Création d'une classe",
})

"""What imports adds to the shared pages (imported by ``ImportsConfig.ready``)."""

from accounts.models import Profile
from accounts.permissions import for_profiles
from establishments import extensions

_IMPORTS = dict(key="imports", label="Importations", url_name="imports", visible=for_profiles(Profile.ADMIN),
                description="Import des fichiers STS-web et SIECLE, historique des imports.", order=20)
extensions.menu.register(extensions.Link(**_IMPORTS))
extensions.home_cards.register(extensions.Link(**_IMPORTS))

extensions.audit_labels.register({
    "import.apply": "Import de fichiers SIECLE / STS-web",
    "division.create": "Création d'une classe",
})

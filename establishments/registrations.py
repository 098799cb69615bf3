"""The core's own audit labels (its services write these actions)."""

from . import extensions

extensions.audit_labels.register({
    "establishment.identity": "Modification des informations de l'établissement",
    "establishment.logo.set": "Dépôt d'une image (logo ou cachet)",
    "establishment.logo.delete": "Suppression d'une image (logo ou cachet)",
    "establishment.transfer": "Réglage du transfert des données des apprenants",
})

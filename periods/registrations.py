"""What periods adds to the shared pages (imported by ``PeriodsConfig.ready``)."""

from establishments import extensions

from .demo_official import load_demo_official_periods

extensions.audit_labels.register({
    "official_period.create": "Ajout d'une période officielle",
    "official_period.update": "Modification d'une période officielle",
    "official_period.delete": "Suppression d'une période officielle",
})
extensions.demo_content.register(load_demo_official_periods)

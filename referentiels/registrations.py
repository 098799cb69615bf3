"""What referentiels adds to the shared pages (imported by ``ReferentielsConfig.ready``): the browser's menu entry
and home card, « Classes et diplômes » for the DDFPT and the chef d'établissement, the demo's subscriptions and
cohorts, the audit labels."""

from accounts.permissions import for_profiles
from establishments import extensions

from .demo import load_demo_referentiels
from .permissions import BROWSER_PROFILES, CLASSES_PROFILES

REFERENTIELS = extensions.Link(
    "referentiels", "Référentiels", "referentiels", for_profiles(*BROWSER_PROFILES),
    "Les référentiels des diplômes de l'établissement : tâches, compétences et critères de réussite.", order=50)
CLASSES = extensions.Link(
    "referentiels_classes", "Classes et diplômes", "referentiels_classes", for_profiles(*CLASSES_PROFILES),
    "Le diplôme et le niveau de chaque classe, proposés d'après les codes MEF à chaque import SIECLE.", order=55)
extensions.menu.register(REFERENTIELS)
extensions.home_cards.register(REFERENTIELS)
extensions.home_cards.register(CLASSES)

extensions.audit_labels.register({"cohort.change": "Changement du diplôme d'une classe"})
extensions.demo_content.register(load_demo_referentiels)

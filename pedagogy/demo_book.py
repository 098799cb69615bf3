"""Demo content of the learners' book (``manage.py demo``, through ``extensions.demo_content``, registered after
the other pedagogy hooks): the book is activated and the demo learner has recorded a few achievements, two of them
retained for the passport, so « Mon book » and « Mon passeport professionnel » show something true. Loading twice
adds nothing."""

import datetime

from django.utils import timezone

from .book import learner_version
from .book_models import Achievement

# title, days ago, setting, context, what I did, task codes (MELEC 2024), retained for the passport
DEMO_ACHIEVEMENTS = [
    ("Câblage d'un va-et-vient dans la cellule habitat", 70, Achievement.Setting.SCHOOL,
     "Atelier d'électrotechnique, cellule habitat, travail en binôme.",
     "J'ai lu le schéma, choisi les conducteurs, câblé les deux interrupteurs et le point lumineux, puis vérifié "
     "le fonctionnement avec le professeur avant la mise sous tension.", ["T2.2", "T2.3"], True),
    ("Remplacement d'un tableau de répartition chez un client", 40, Achievement.Setting.COMPANY,
     "PFMP chez un artisan électricien, rénovation d'un appartement.",
     "Avec mon tuteur, j'ai consigné l'installation, déposé l'ancien tableau, posé et raccordé le nouveau "
     "(disjoncteurs, interrupteur différentiel 30 mA), puis fait les essais.", ["T2.3", "T3.1"], True),
    ("Mesures d'isolement avant mise en service", 20, Achievement.Setting.SCHOOL,
     "Zone d'essais de l'atelier.",
     "J'ai mesuré la continuité et l'isolement avec le contrôleur d'installation et rempli la fiche "
     "d'autocontrôle.", ["T3.1"], False),
]


def load_demo_book(establishment, users) -> None:
    learner = users.get("apprenant")
    if learner is None:
        return
    if hasattr(establishment, "book_enabled") and not establishment.book_enabled:
        establishment.book_enabled = True
        establishment.save(update_fields=["book_enabled"])
    version = learner_version(learner)
    tasks = {t.code: t for t in version.tasks.all()} if version is not None else {}
    today = timezone.localdate()
    for title, days_ago, setting, context, actions, codes, picked in DEMO_ACHIEVEMENTS:
        achievement, created = Achievement.objects.get_or_create(
            establishment=establishment, learner=learner, title=title,
            defaults={"date": today - datetime.timedelta(days=days_ago), "setting": setting, "context": context,
                      "actions": actions, "version": version, "for_passport": picked})
        if created:
            achievement.tasks.set([tasks[code] for code in codes if code in tasks])

"""The set-up progress of an establishment in the product's five steps (progress bar of the pilot console, column of
the platform console): Abonnement → Importation des données → Saisie des dates des périodes officielles → Saisie des
périodes LSL → Saisie des dates limites de certification. Each step is done or to do, says what is missing and links
to the page where it is done. About eight queries, whatever the size of the establishment.
"""

from accounts.models import Profile, User
from establishments.extensions import SetupStep
from establishments.models import Division, Establishment
from periods.models import OfficialPeriod
from periods.official_periods import current_school_year, expected_levels, subscribed_diplomas

Kind = OfficialPeriod.Kind


def _specialities(count: int) -> str:
    return f"encore {count} spécialité{'s' if count > 1 else ''} à configurer"


def setup_steps(establishment: Establishment, year=None) -> list[SetupStep]:
    diplomas = subscribed_diplomas(establishment)
    steps = [SetupStep("subscription", "Abonnement", bool(diplomas),
                       "" if diplomas else "aucun diplôme : l'abonnement est ouvert par la plateforme CPro",
                       "referentiels")]

    has_learners = User.objects.filter(establishment=establishment, profile=Profile.LEARNER).exists()
    unlinked = (Division.objects.filter(establishment=establishment, learners__is_active=True,
                                        learners__profile=Profile.LEARNER, cohort__isnull=True)
                .distinct().count()) if has_learners else 0
    if not has_learners:
        missing = "aucun apprenant : l'administrateur importe les fichiers SIECLE et STS-web"
    elif unlinked:
        missing = f"encore {unlinked} classe{'s' if unlinked > 1 else ''} à rattacher à un diplôme"
    else:
        missing = ""
    steps.append(SetupStep("import", "Importation des données", has_learners and not unlinked, missing,
                           "referentiels_classes"))

    year = year or current_school_year(establishment)
    present: dict[str, set] = {}
    for diploma_id, level, kind in (OfficialPeriod.objects.filter(establishment=establishment, school_year=year)
                                    .values_list("diploma_id", "class_level", "kind").distinct()):
        present.setdefault(kind, set()).update({(diploma_id, level), diploma_id})
    expected = expected_levels(establishment, diplomas)
    bilan_kinds = present.get(Kind.TERM, set()) | present.get(Kind.SEMESTER, set())
    to_configure = sum(1 for d, levels in expected.items() if any((d.pk, lv) not in bilan_kinds for lv in levels))
    lsl_missing = sum(1 for d in expected if d.pk not in present.get(Kind.LSL, set()))
    certification_missing = sum(1 for d in expected if d.pk not in present.get(Kind.CERTIFICATION, set()))
    for key, label, missing_count in [
        ("official_periods", "Saisie des dates des périodes officielles", to_configure),
        ("lsl", "Saisie des périodes LSL", lsl_missing),
        ("certification", "Saisie des dates limites de certification", certification_missing),
    ]:
        done = bool(diplomas) and not missing_count
        missing = _specialities(missing_count) if missing_count else ("" if diplomas else "aucun diplôme souscrit")
        steps.append(SetupStep(key, label, done, missing, "console_periods"))
    return steps

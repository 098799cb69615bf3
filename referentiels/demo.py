"""Demo content (``manage.py demo``, through ``extensions.demo_content``): the demo establishments subscribe to
MELEC and CIEL and their classes are tied to them — 2MELEC1 to MELEC 2024 in Seconde, a class 1CIEL1 to CIEL in
Première. Nothing is done for a diploma whose référentiel is not loaded (``load_referentiel``, run by
``make run`` before the demo)."""

from establishments.models import Division, Establishment

from .establishment_models import Cohort
from .models import ClassLevel, Diploma
from .services import subscribe

# diploma code, preferred version code, class, its label, level
DEMO_COHORTS = [
    ("MELEC", "2024", "2MELEC1", "2nde pro. MELEC 1", ClassLevel.SECONDE),
    ("CIEL", "", "1CIEL1", "1re pro. CIEL 1", ClassLevel.PREMIERE),
]


def load_demo_referentiels(establishment: Establishment, users: dict) -> None:
    """Runs inside the demo command's transaction, scopes disabled."""
    diplomas = {d.code: d for d in Diploma.objects.filter(code__in=[c[0] for c in DEMO_COHORTS])
                .prefetch_related("versions")}
    teacher = users.get("enseignant")
    for diploma_code, version_code, division_code, label, level in DEMO_COHORTS:
        diploma = diplomas.get(diploma_code)
        if diploma is None:
            continue
        versions = sorted(diploma.versions.all(), key=lambda v: (v.first_session or 0, v.code), reverse=True)
        version = next((v for v in versions if v.code == version_code), versions[0] if versions else None)
        if version is None:
            continue
        subscribe(establishment, diploma)
        division, _ = Division.objects.get_or_create(establishment=establishment, code=division_code,
                                                     defaults={"label": label})
        if teacher is not None:
            teacher.divisions_taught.add(division)
        Cohort.objects.get_or_create(establishment=establishment, division=division,
                                     defaults={"version": version, "class_level": level,
                                               "updated_by_name": "Démonstration"})

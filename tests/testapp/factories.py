"""Helpers for the transfer, purge and daily-job tests: learners as imports leave them, and their data."""

import datetime

from django.core.files.base import ContentFile

from accounts.models import Profile, User
from establishments.models import Establishment
from establishments.scoping import scopes_disabled

from .models import Achievement, AchievementComment, Assessment

MELEC_1 = "24725509310"  # bac pro MELEC, 1st year
MELEC_2 = "24725509320"  # same diploma, 2nd year
CIEL_2 = "24732006320"  # another bac pro


def make_establishment(uai: str, *, transfer: bool = True, name: str = "") -> Establishment:
    return Establishment.objects.create(uai=uai, name=name or f"Lycée {uai}", email=f"ce.{uai.lower()}@ac.fr",
                                        transfer_enabled=transfer)


def make_learner(establishment: Establishment, login: str, *, ine: str | None, active: bool = True,
                 imported_at: datetime.datetime | None = None, deactivated_at: datetime.datetime | None = None,
                 deactivated_by_import: bool = True, mef_code: str = MELEC_1, **fields) -> User:
    fields.setdefault("last_name", login.split(".")[-1].capitalize())
    fields.setdefault("first_name", login.split(".")[0].capitalize())
    with scopes_disabled():
        user = User(establishment=establishment, login=login, profile=Profile.LEARNER, ine=ine,
                    imported_at=imported_at, mef_code=mef_code, must_change_password=False, **fields)
        user.set_unusable_password()
        if not active:
            user.deactivate(when=deactivated_at, by_import=deactivated_by_import)
        user.save()
    return user


def make_mover(origin_establishment: Establishment, destination_establishment: Establishment, *,
               now: datetime.datetime, left: datetime.timedelta = datetime.timedelta(days=20),
               joined: datetime.timedelta = datetime.timedelta(days=10), ine: str = "070803070AA",
               origin_mef: str = MELEC_1, destination_mef: str = MELEC_2, login: str = "lea.martin",
               **origin_fields) -> tuple[User, User]:
    """A learner who left ``origin_establishment`` (``left`` ago) and joined the other one (``joined`` ago)."""
    origin = make_learner(origin_establishment, login, ine=ine, active=False, imported_at=now - 2 * left,
                          deactivated_at=now - left, mef_code=origin_mef, **origin_fields)
    destination = make_learner(destination_establishment, login, ine=ine, imported_at=now - joined,
                               mef_code=destination_mef)
    return origin, destination


def give_data(learner: User, teacher: User | None = None, *, with_file: bool = False) -> None:
    """Two achievements (one commented, one optionally with a file) and one assessment."""
    with scopes_disabled():
        first = Achievement.objects.create(establishment=learner.establishment, learner=learner, title="Tableau")
        AchievementComment.objects.create(establishment=learner.establishment, achievement=first, text="Soigné")
        second = Achievement(establishment=learner.establishment, learner=learner, title="Éclairage")
        if with_file:
            second.attachment.save("photo.txt", ContentFile(b"photo"), save=False)
        second.save()
        Assessment.objects.create(establishment=learner.establishment, learner=learner, teacher=teacher,
                                  teacher_name=teacher.full_name if teacher else "", level=3)


def data_of(learner: User) -> dict[str, list[int]]:
    """The establishment of each of the learner's rows, per model (what a user of that school would see)."""
    with scopes_disabled():
        return {
            "achievements": sorted(Achievement.objects.filter(learner=learner)
                                   .values_list("establishment_id", flat=True)),
            "comments": sorted(AchievementComment.objects.filter(achievement__learner=learner)
                               .values_list("establishment_id", flat=True)),
            "assessments": sorted(Assessment.objects.filter(learner=learner)
                                  .values_list("establishment_id", flat=True)),
        }

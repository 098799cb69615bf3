"""What the home page says to each profile beyond its cards: only what is true today.

A teacher sees the classes and groups STS-web says they teach, a guardian their linked learners, a learner their
class; a tutor and an inspector a short sentence of what their account gives them now.
"""

from . import access
from .models import Profile, User
from .services import access_until


def summary(user: User) -> dict:
    profile = user.profile
    if profile == Profile.TEACHER:
        return {
            "taught_divisions": list(access.visible_divisions(user).order_by("code")),
            "taught_groups": list(access.visible_groups(user).order_by("code")),
        }
    if profile == Profile.GUARDIAN:
        learners = (access.visible_learners(user).filter(is_active=True).select_related("division")
                    .order_by("last_name", "first_name"))
        return {"guarded_learners": list(learners)}
    if profile == Profile.LEARNER:
        return {"own_division": user.division, "own_training": user.mef_label}
    if profile == Profile.TUTOR:
        return {"profile_sentence": (
            "Votre compte de tuteur est ouvert : vous pouvez vous connecter et modifier votre mot de passe. Le suivi "
            "des apprenants que vous accueillez en période de formation en milieu professionnel (PFMP) n'est pas "
            "encore disponible dans CPro.")}
    if profile == Profile.INSPECTOR:
        until = access_until(user)
        when = f" jusqu'au {until:%d/%m/%Y} inclus" if until else ""
        return {"profile_sentence": (
            f"Votre accès à l'établissement est ouvert en lecture seule{when} : vous pouvez consulter sans rien "
            "modifier. Les pages de consultation (évaluations, bilans) ne sont pas encore disponibles dans CPro.")}
    return {}

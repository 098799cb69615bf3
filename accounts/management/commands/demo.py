"""Loads (idempotently) two demo establishments with one user of every profile, and prints the logins."""

import datetime
import io
import json

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.enrolments import enrol
from accounts.models import Civility, GuardianLink, Profile, User
from accounts.services import site_url
from establishments import extensions
from establishments.models import Division, Establishment, TeachingGroup, school_year_start
from establishments.scoping import scopes_disabled

# For demonstration only: these accounts have a known password and are never to exist in production.
DEMO_PASSWORD = "demo-CPro-2026"  # noqa: S105
DEMO_ESTABLISHMENTS = [
    ("0750654D", "Lycée professionnel Jean Jaurès (démo)", "ce.0750654d@demo.cpro.localhost"),
    ("0999999F", "Lycée des métiers Marie Curie (démo)", "ce.0999999f@demo.cpro.localhost"),
]
DEMO_ADDRESSES = {
    "0750654D": "12 rue de l'Atelier\n75011 Paris",
    "0999999F": "4 avenue des Métiers\n69007 Lyon",
}
DEMO_LEARNER_INE = "123456789AB"  # a fake INE of the demo learner, shown on their passport
DEMO_PEOPLE = {
    Profile.ADMIN: ("Martin", "Claire", Civility.MRS),
    Profile.HEAD: ("Bernard", "Philippe", Civility.MR),
    Profile.DDFPT: ("Petit", "Nadia", Civility.MRS),
    Profile.TEACHER: ("Durand", "Julien", Civility.MR),
    Profile.LEARNER: ("Leroy", "Inès", Civility.MRS),
    Profile.GUARDIAN: ("Leroy", "Karim", Civility.MR),
    Profile.TUTOR: ("Moreau", "Sophie", Civility.MRS),
    Profile.INSPECTOR: ("Fournier", "Alain", Civility.MR),
}


def load_demo() -> list[dict]:
    loaded = []
    with transaction.atomic(), scopes_disabled():
        for uai, name, email in DEMO_ESTABLISHMENTS:
            establishment, _ = Establishment.objects.get_or_create(uai=uai, defaults={"name": name, "email": email})
            users, people = [], {}
            for profile, (last_name, first_name, civility) in DEMO_PEOPLE.items():
                login = f"demo.{profile.value}"
                user = User.objects.filter(establishment=establishment, login=login).first()
                if user is None:
                    user = User(establishment=establishment, login=login)
                user.last_name, user.first_name, user.civility, user.profile = last_name, first_name, civility, profile
                user.birth_date = datetime.date(2009, 3, 14) if profile == Profile.LEARNER else None
                user.must_change_password = False
                user.reactivate()
                user.set_password(DEMO_PASSWORD)
                user.save()
                users.append({"profile": profile.value, "login": login, "password": DEMO_PASSWORD})
                people[profile.value] = user
            _demo_classes(establishment, people)
            _demo_identity(establishment, people)
            for load in extensions.demo_content.all():  # the other apps' demo content
                load(establishment, people)
            loaded.append({"uai": uai, "name": establishment.name, "users": users})
    return loaded


def _demo_image(text: str, size: tuple[int, int], colour: str, round_stamp: bool = False) -> ContentFile:
    """A small PNG drawn here (no file shipped): a square logo or a round cachet with the school's initials."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size[1] // 4)
    if round_stamp:
        draw.ellipse((8, 8, size[0] - 8, size[1] - 8), outline=colour, width=10)
    else:
        draw.rectangle((0, 0, size[0], size[1]), fill=colour)
    draw.text((size[0] // 2, size[1] // 2), text, fill=colour if round_stamp else "white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return ContentFile(out.getvalue(), name=f"{'cachet' if round_stamp else 'logo'}.png")


def _demo_identity(establishment: Establishment, people: dict[str, User]) -> None:
    """An address, a logo and a cachet for the establishment, an INE for the demo learner: what their passport
    shows. Set once; what a visitor changes in Paramètres is kept."""
    if not establishment.address:
        establishment.address = DEMO_ADDRESSES.get(establishment.uai, "")
    initials = "".join(word[0] for word in establishment.name.split()[2:4] if word[:1].isupper()) or "LP"
    if not establishment.logo:
        establishment.logo.save("logo.png", _demo_image(initials, (240, 240), "#000091"), save=False)
    if not establishment.stamp:
        establishment.stamp.save("cachet.png", _demo_image(initials, (300, 300), "#1f3d7a", round_stamp=True),
                                 save=False)
    establishment.save()
    learner = people[Profile.LEARNER.value]
    if not learner.ine:
        learner.ine = DEMO_LEARNER_INE
        learner.save(update_fields=["ine"])


def _demo_classes(establishment: Establishment, people: dict[str, User]) -> None:
    """A class and a group, as an STS-web import leaves them: the teacher teaches both, the learner is in the
    class, the guardian is linked to the learner."""
    division, _ = Division.objects.get_or_create(establishment=establishment, code="2MELEC1",
                                                 defaults={"label": "2nde pro. MELEC 1"})
    group, _ = TeachingGroup.objects.get_or_create(establishment=establishment, code="2MELEC1-ATELIER",
                                                   defaults={"label": "Atelier électricité"})
    group.divisions.add(division)
    teacher, learner = people[Profile.TEACHER.value], people[Profile.LEARNER.value]
    teacher.divisions_taught.add(division)
    teacher.teaching_groups.add(group)
    learner.division = division
    learner.save(update_fields=["division"])
    learner.teaching_groups.add(group)
    if not learner.enrolments.exists():  # the demo may be loaded again: one enrolment, from the year's start
        today = datetime.date.today()
        enrol(learner, datetime.date(school_year_start(today), 9, 1))
    GuardianLink.objects.get_or_create(establishment=establishment, guardian=people[Profile.GUARDIAN.value],
                                       learner=learner, defaults={"relationship": "Père"})


class Command(BaseCommand):
    help = "Charge deux établissements de démonstration (comptes de démonstration uniquement)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="affiche les comptes en JSON")

    def handle(self, *args, **options):
        establishments = load_demo()
        if options["json"]:
            self.stdout.write(json.dumps({"establishments": establishments}, ensure_ascii=False))
            return
        self.stdout.write("Comptes de DÉMONSTRATION (mot de passe connu : ne jamais utiliser en production)")
        for est in establishments:
            self.stdout.write(f"\n{est['name']} — {site_url()}/{est['uai']}/connexion/")
            for user in est["users"]:
                self.stdout.write(f"  {user['profile']:<15} identifiant : {user['login']:<22} "
                                  f"mot de passe : {user['password']}")

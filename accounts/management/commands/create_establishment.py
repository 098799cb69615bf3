"""Creates an establishment and its first administrator (operations of the platform).

It lives in ``accounts`` because it creates an account: the tenant core (``establishments``) never imports
``accounts``.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.services import AccountError, first_administrator_create, login_url
from establishments.models import Establishment
from establishments.services import create_establishment


class Command(BaseCommand):
    help = ("Crée un établissement et son premier administrateur (identifiant et mot de passe temporaire envoyés "
            "par e-mail, ou affichés une seule fois avec --print-password).")

    def add_arguments(self, parser):
        parser.add_argument("uai", help="code UAI, 7 chiffres et la lettre de contrôle (ex. 0750654D)")
        parser.add_argument("--name", default="", help="nom de l'établissement")
        parser.add_argument("--email", default="", help="adresse e-mail de l'établissement")
        parser.add_argument("--admin-email", default="",
                            help="adresse e-mail du premier administrateur (son mot de passe temporaire y est envoyé)")
        parser.add_argument("--admin-first-name", default="", help="prénom du premier administrateur")
        parser.add_argument("--admin-last-name", default="", help="nom du premier administrateur")
        parser.add_argument("--print-password", action="store_true",
                            help="affiche le mot de passe temporaire (une seule fois) au lieu de l'envoyer par e-mail")

    def handle(self, uai, name, email, admin_email, admin_first_name, admin_last_name, print_password, **options):
        if Establishment.objects.filter(uai=uai.strip().upper()).exists():
            raise CommandError(f"L'établissement {uai} existe déjà.")
        try:
            with transaction.atomic():
                establishment = create_establishment(uai, name=name, email=email)
                if not admin_email and not print_password:
                    raise CommandError("Indiquez --admin-email (le mot de passe temporaire du premier administrateur "
                                       "y est envoyé) ou --print-password (il est alors affiché ici).")
                admin, password = first_administrator_create(
                    establishment=establishment, email=admin_email, first_name=admin_first_name,
                    last_name=admin_last_name, send_email=not print_password)
        except ValidationError as exc:
            messages = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
            raise CommandError(messages) from exc
        except AccountError as exc:
            raise CommandError(f"{exc} Rien n'a été créé (--print-password affiche le mot de passe au lieu de "
                               "l'envoyer).") from exc
        self.stdout.write(f"Établissement créé : {establishment} — {login_url(establishment)}")
        self.stdout.write(f"Premier administrateur : identifiant « {admin.login} »")
        if print_password:
            self.stdout.write(f"Mot de passe temporaire (affiché une seule fois, à changer à la première "
                              f"connexion) : {password}")
        else:
            self.stdout.write(f"Son mot de passe temporaire a été envoyé à {admin.email}.")

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from establishments.models import Establishment
from establishments.services import create_establishment


class Command(BaseCommand):
    help = "Crée un établissement (opérations de la plateforme)."

    def add_arguments(self, parser):
        parser.add_argument("uai", help="code UAI, 7 chiffres et la lettre de contrôle (ex. 0750654D)")
        parser.add_argument("--name", default="", help="nom de l'établissement")
        parser.add_argument("--email", default="", help="adresse e-mail de l'établissement")

    def handle(self, uai, name, email, **options):
        if Establishment.objects.filter(uai=uai.strip().upper()).exists():
            raise CommandError(f"L'établissement {uai} existe déjà.")
        try:
            establishment = create_establishment(uai, name=name, email=email)
        except ValidationError as exc:
            messages = "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
            raise CommandError(messages) from exc
        self.stdout.write(f"Établissement créé : {establishment} — {establishment.get_absolute_url()}")

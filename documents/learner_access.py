"""The learners' login sheet of a class (ODT and PDF), for teachers to print and hand out.

The PDF renders ``documents/learner_access_sheet.html``, the fragment the Accès apprenants page includes, so the
screen, its print view and the PDF show the same list. A download is written to the audit log (never a password).
"""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from accounts import access, selectors
from accounts.services import login_url
from establishments import audit
from establishments.models import Division

from . import producers, services
from .formats import File, Sheet, Table, odt, pdf

NOTE = ("Le mot de passe initial doit être changé à la première connexion. « modifié » : l'apprenant a déjà choisi son "
        "mot de passe ; en cas d'oubli, l'administrateur peut le réinitialiser.")
FORMATS = ("odt", "pdf")
# A prepared sheet holds initial passwords: it is kept one day at most.
KEPT_FOR = datetime.timedelta(hours=24)


def _division(establishment, owner, params) -> Division:
    return get_object_or_404(access.visible_divisions(owner), pk=params["division_id"], establishment=establishment)


def _filename(division: Division, extension: str) -> str:
    return f"identifiants-{slugify(division.code) or division.pk}.{extension}"


def _context(establishment, owner, params) -> dict:
    division = _division(establishment, owner, params)
    return {
        "establishment": establishment,
        "division": division,
        "rows": selectors.learner_access_rows(establishment, division, viewer=owner),
        "login_url": params.get("login_url") or login_url(establishment),
        "note": NOTE,
        "document": True,
    }


@producers.register("learner_access.odt")
def learner_access_odt(establishment, owner, params) -> File:
    context = _context(establishment, owner, params)
    division = context["division"]
    sheet = Sheet(
        title=f"Identifiants des apprenants — classe {division.code}",
        paragraphs=[f"{establishment.display_name} (UAI {establishment.uai})",
                    f"Adresse de connexion : {context['login_url']}", NOTE],
        tables=[Table(headers=("Apprenant", "Identifiant", "Mot de passe initial"),
                      rows=[(row.user.full_name, row.login, row.password_display) for row in context["rows"]],
                      widths_cm=(6, 6, 5), monospace=frozenset({1, 2}))],
    )
    return odt(sheet, _filename(division, "odt"))


@producers.register("learner_access.pdf")
def learner_access_pdf(establishment, owner, params) -> File:
    context = _context(establishment, owner, params)
    return pdf("documents/learner_access.html", context, _filename(context["division"], "pdf"))


def download(*, establishment, actor, division: Division, extension: str, request=None):
    """The sheet of ``division`` as ``extension`` (a ``File``, or a ``GeneratedDocument`` for a very large class);
    the download is written to the audit log. ``division`` must be one ``actor`` may see."""
    if extension not in FORMATS:
        raise ValueError(extension)
    size = len(selectors.learner_access_rows(establishment, division, viewer=actor))
    audit.record(establishment, actor, "learner_access.download", f"Classe {division.code}",
                 {"classe": division.code, "apprenants": size, "format": extension.upper()})
    params = {"division_id": division.pk, "login_url": login_url(establishment, request)}
    return services.deliver(f"learner_access.{extension}", establishment=establishment, owner=actor, params=params,
                            size=size, expires_in=KEPT_FOR,
                            title=f"Identifiants des apprenants — classe {division.code} ({extension.upper()})")

"""Printable bilans (PDF, WeasyPrint): one learner's bilan on a page, and the class's bilans of a period as one file.

The class file of more than ``BACKGROUND_OVER`` bilans is built in the background as a ``GeneratedDocument``
(« Mes documents »); a smaller one comes back in the response. Producers take ids only (``documents.producers``):
the task rebuilds the same file, with the same access checks, as the user who asked.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.text import slugify

from accounts import access
from documents import producers, services
from documents.formats import File, pdf

from . import bilan_selectors as selectors
from .evaluation_models import Bilan

BACKGROUND_OVER = 12
TEMPLATE = "pedagogy/bilans/pdf.html"


def _context(establishment, sheets, title: str) -> dict:
    return {"establishment": establishment, "sheets": sheets, "title": title, "document": True}


@producers.register("bilan.pdf")
def bilan_pdf(establishment, owner, params) -> File:
    bilan = selectors.bilan_with_learner(establishment, params["bilan_id"])
    if not selectors.may_read(owner, bilan):
        raise Http404
    sheet = selectors.frozen_sheet(bilan)
    name = slugify(f"bilan-{bilan.learner.last_name}-{bilan.learner.first_name}-{bilan.period_label}")
    return pdf(TEMPLATE, _context(establishment, [sheet], f"Bilan — {bilan.learner.full_name}"), f"{name}.pdf")


def _class(establishment, owner, params):
    division = get_object_or_404(access.visible_divisions(owner).select_related("cohort__version"),
                                 pk=params["division_id"])
    period = get_object_or_404(selectors.bilan_periods(establishment), pk=params["period_id"])
    return division, period


@producers.register("bilans.class.pdf")
def class_bilans_pdf(establishment, owner, params) -> File:
    division, period = _class(establishment, owner, params)
    sheets = selectors.class_bilans(establishment, division, period, owner)
    title = f"Bilans {period.label} — classe {division.code}"
    return pdf(TEMPLATE, _context(establishment, sheets, title), f"{slugify(title)}.pdf")


def class_pdf(*, establishment, owner, division, period) -> File:
    """The class's bilans: now when small, in the background (a ``GeneratedDocument``) when large."""
    params = {"division_id": division.pk, "period_id": period.pk}
    count = Bilan.objects.filter(establishment=establishment, period=period,
                                 learner__in=access.visible_learners(owner).filter(division=division)).count()
    if count <= BACKGROUND_OVER:
        return services.produce("bilans.class.pdf", establishment=establishment, owner=owner, params=params)
    return services.start("bilans.class.pdf", establishment=establishment, owner=owner, params=params,
                          title=f"Bilans {period.label} — classe {division.code} (PDF)")

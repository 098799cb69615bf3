"""Pages of the bilan entreprise: the teacher's form, the tutor's link, the validation, the paper version, and the
tutor's public page (no account: the link is the key, see ``pedagogy.company_bilans``)."""

import contextlib
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Profile
from accounts.permissions import profile_required, public
from establishments.routing import tenant_url
from periods import portfolio

from . import company_bilans as bilans
from .evaluation_models import Level

READERS = (Profile.TEACHER, Profile.DDFPT, Profile.HEAD, Profile.INSPECTOR)


def _placement(request, pk):
    placement = (portfolio.visible_placements(request.user)
                 .select_related("period__version", "learner__division", "referent", "establishment")
                 .filter(pk=pk).first())
    if placement is None:
        raise Http404
    return placement


def _reviewer(request, placement):
    if not portfolio.can_review(request.user, placement):
        raise PermissionDenied("Seul l'enseignant référent remplit et valide le bilan entreprise.")


def _url(request, placement) -> str:
    return tenant_url(request.establishment, "company_bilan", pk=placement.pk)


def _date(value: str):
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _revision(request):
    raw = request.POST.get("revision", "")
    return int(raw) if raw.isdecimal() else None


@profile_required(*READERS)
def company_bilan_view(request, pk):
    placement = _placement(request, pk)
    may_change = portfolio.can_review(request.user, placement)
    bilan = bilans.bilan_of(placement)
    lines = bilans.lines_of(placement, bilan)
    error = ""
    if request.method == "POST":
        _reviewer(request, placement)
        signer, signed_on = "", None
        if request.POST.get("paper"):  # the signer without a readable date is refused by save_bilan
            signer, signed_on = request.POST.get("signer", ""), _date(request.POST.get("signed_on", ""))
        try:
            bilans.save_bilan(placement, request.POST, actor=request.user, revision=_revision(request),
                              signer=signer, signed_on=signed_on)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Le bilan entreprise est enregistré." if not signer else
                             "La version papier signée est saisie : validez-la pour qu'elle compte.")
            return redirect(_url(request, placement))
        with contextlib.suppress(ValidationError):
            bilans.read_levels(lines, request.POST)  # show what was typed
    return render(request, "pedagogy/company/bilan.html", {
        "placement": placement, "period": placement.period, "bilan": bilan, "lines": lines, "error": error,
        "levels": Level.choices, "may_change": may_change, "link": bilans.active_link(bilan),
        "default_expiry": max(timezone.localdate() + datetime.timedelta(days=14), min(
            placement.period.end_date + datetime.timedelta(days=30),
            timezone.localdate() + datetime.timedelta(days=bilans.LINK_MAX_DAYS))),
        "today": timezone.localdate(), "posted": request.POST if request.method == "POST" else {},
    })


@profile_required(*READERS)
@require_POST
def company_bilan_link_view(request, pk):
    placement = _placement(request, pk)
    _reviewer(request, placement)
    try:
        link = bilans.send_tutor_link(placement, email=request.POST.get("email", ""),
                                      expires_on=_date(request.POST.get("expires_on", "")), actor=request.user,
                                      request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except OSError:
        messages.error(request, "L'e-mail n'a pas pu être envoyé : aucun lien n'a été créé. Réessayez plus tard.")
    else:
        messages.success(request, f"Le lien a été envoyé à {link.email} ; il est valable jusqu'au "
                                  f"{link.expires_on:%d/%m/%Y}.")
    return redirect(_url(request, placement))


@profile_required(*READERS)
@require_POST
def company_bilan_revoke_view(request, pk):
    placement = _placement(request, pk)
    _reviewer(request, placement)
    if bilans.revoke(placement, actor=request.user):
        messages.success(request, "Le lien du tuteur est révoqué : il n'ouvre plus le bilan.")
    else:
        messages.info(request, "Aucun lien à révoquer.")
    return redirect(_url(request, placement))


@profile_required(*READERS)
@require_POST
def company_bilan_validate_view(request, pk):
    placement = _placement(request, pk)
    _reviewer(request, placement)
    try:
        bilans.validate(placement, actor=request.user, revision=_revision(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Le bilan entreprise est validé : ses niveaux figurent dans le suivi de "
                                  "l'apprenant (évaluations « en entreprise »).")
    return redirect(_url(request, placement))


@profile_required(*READERS)
def company_bilan_print_view(request, pk):
    placement = _placement(request, pk)
    bilan = bilans.bilan_of(placement)
    return render(request, "pedagogy/company/print.html", {
        "placement": placement, "period": placement.period, "bilan": bilan,
        "lines": bilans.lines_of(placement, bilan), "levels": Level.choices})


def _refused(request, refusal: bilans.LinkRefused):
    response = render(request, "pedagogy/company/tutor_refused.html", {"refusal": refusal}, status=403)
    response["Referrer-Policy"] = "same-origin"  # no-referrer would send « Origin: null »: CSRF refusal
    return response


@public
@never_cache
def tutor_bilan_view(request, pk, token):
    """The tutor's page, outside the login: only the bilan this link was sent for."""
    try:
        link = bilans.resolve_link(pk, token)
    except bilans.LinkRefused as refusal:
        return _refused(request, refusal)
    bilan = link.bilan
    placement = bilan.placement
    lines = bilans.lines_of(placement, bilan)
    error = ""
    if request.method == "POST":
        try:
            bilans.tutor_submit(pk, token, request.POST, signer=request.POST.get("signer", ""),
                                signed_on=_date(request.POST.get("signed_on", "")))
        except bilans.LinkRefused as refusal:
            return _refused(request, refusal)
        except ValidationError as exc:  # the tutor reads « votre nom », not « le nom du tuteur »
            error = (bilans.TUTOR_SIGNER_REQUIRED if getattr(exc, "code", None) == "signer"
                     else " ".join(exc.messages))
            with contextlib.suppress(ValidationError):
                bilans.read_levels(lines, request.POST)
        else:
            response = render(request, "pedagogy/company/tutor_done.html", {"placement": placement})
            response["Referrer-Policy"] = "same-origin"  # no-referrer would send « Origin: null »: CSRF refusal
            return response
    response = render(request, "pedagogy/company/tutor.html", {
        "placement": placement, "period": placement.period, "bilan": bilan, "lines": lines, "link": link,
        "levels": Level.choices, "error": error, "today": timezone.localdate(),
        "posted": request.POST if request.method == "POST" else {}})
    response["Referrer-Policy"] = "same-origin"  # no-referrer would send « Origin: null »: CSRF refusal
    return response

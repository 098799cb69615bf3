"""Downloads: the learners' login sheet (ODT, PDF) and the documents built in the background (« Mes documents »)."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from accounts import access
from accounts.permissions import ALL_PROFILES, USER_MANAGER_PROFILES, profile_required
from establishments.routing import tenant_url

from . import learner_access, services
from .formats import File
from .models import GeneratedDocument

QUEUED_MESSAGE = ("Le document « {title} » est long à préparer : il sera dans « Mes documents » dans quelques "
                  "instants.")


def send(request, result: File | GeneratedDocument):
    """A small document as the response; a large one queued: the user is sent to « Mes documents »."""
    if isinstance(result, File):
        return result.response()
    messages.info(request, QUEUED_MESSAGE.format(title=result.title))
    return redirect(tenant_url(request.establishment, "documents"))


@profile_required(*USER_MANAGER_PROFILES)
def learner_access_document_view(request, division_pk: int, extension: str):
    division = get_object_or_404(access.visible_divisions(request.user), pk=division_pk,
                                 establishment=request.establishment)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return send(request, learner_access.download(establishment=request.establishment, actor=request.user,
                                                 division=division, extension=extension, request=request))


@profile_required(*ALL_PROFILES)
@require_safe
def documents_view(request):
    documents = list(services.owned_documents(request.establishment, request.user)[:50])
    return render(request, "documents/list.html", {
        "documents": documents,
        "pending": any(d.status == GeneratedDocument.Status.PENDING for d in documents),
    })


@profile_required(*ALL_PROFILES)
def document_download_view(request, pk: int):
    document = services.downloadable(request.establishment, request.user, pk)
    if document is None:  # before the method: another user's document does not exist, whatever the method
        raise Http404("Ce document n'existe pas, n'est pas le vôtre ou a expiré.")
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        messages.error(request, "Le fichier de ce document n'existe plus : préparez-le de nouveau.")
        return redirect(tenant_url(request.establishment, "documents"))
    response = FileResponse(handle, content_type=document.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=document.filename)
    return response

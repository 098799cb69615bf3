"""Pages of the imports module (administrateur): upload, analysis, import, report, history, hors SIECLE."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Profile
from accounts.permissions import profile_required
from establishments.routing import tenant_url
from establishments.scoping import scope

from . import selectors, services
from .forms import CsvUploadForm, DivisionForm, LearnerForm, SiecleUploadForm, StsUploadForm
from .models import ImportRun
from .parsing.csv_learners import EXPECTED_HEADER
from .report import initial_password_cell, report_csv_chunks

admin_only = profile_required(Profile.ADMIN)

HISTORY_LENGTH = 50


def _run_url(request, run: ImportRun) -> str:
    return tenant_url(request.establishment, "imports_run", pk=run.pk)


def _start_analysis(request, uploads, source=ImportRun.Source.SIECLE):
    run = services.run_create(request.establishment, request.user, uploads, source=source)
    # Sent once the run's row is committed; embedded mode (CELERY_TASK_ALWAYS_EAGER) analyses right here.
    services.run_queue_analysis(run)
    return redirect(_run_url(request, run))


@admin_only
def index_view(request):
    establishment = request.establishment
    return render(request, "imports/index.html", {
        "sts_form": StsUploadForm(prefix="sts"),
        "siecle_form": SiecleUploadForm(prefix="siecle"),
        "history": selectors.import_history(establishment)[:HISTORY_LENGTH],
    })


@admin_only
@require_POST
def upload_view(request):
    section = request.POST.get("section")
    form_class, prefix = (StsUploadForm, "sts") if section == "sts" else (SiecleUploadForm, "siecle")
    form = form_class(request.POST, request.FILES, prefix=prefix)
    if not form.is_valid():
        forms = {"sts_form": StsUploadForm(prefix="sts"), "siecle_form": SiecleUploadForm(prefix="siecle")}
        forms[f"{prefix}_form"] = form
        return render(request, "imports/index.html", {
            **forms, "history": selectors.import_history(request.establishment)[:HISTORY_LENGTH]}, status=400)
    return _start_analysis(request, form.uploads())


@admin_only
def run_view(request, pk: int):
    run = selectors.import_run_get(request.establishment, pk)
    context = {"run": run}
    if run.status == ImportRun.Status.ANALYSED:
        context["counts"] = selectors.count_rows(run.summary.get("counts", {}))
        context["lists"] = selectors.analysis_lists(run.summary)
    if run.status == ImportRun.Status.APPLIED:
        context["counts"] = selectors.count_rows(run.counts)
        context.update(_report_page(request, run))
    return render(request, "imports/run.html", context)


def _report_page(request, run: ImportRun) -> dict:
    """Every section of the report with one page of its lines (the first, or the one asked for with
    ``?partie=…&page=…``): the page costs the same for 30 lines or 100,000 (the CSV holds them all)."""
    size = selectors.REPORT_PAGE_SIZE
    sections = selectors.report_section_counts(run)
    for section in sections:
        section["pages"] = (section["count"] + size - 1) // size
        page = 1
        if request.GET.get("partie") == section["slug"]:
            try:
                page = min(max(int(request.GET.get("page", 1)), 1), section["pages"])
            except ValueError:
                page = 1
        lines = selectors.report_section_lines(run, section["kind"], section["action"], (page - 1) * size, size)
        for line in lines:
            line.password = initial_password_cell(line.user) if line.user.is_active else ""
        section.update(page=page, lines=lines, first_line=(page - 1) * size + 1,
                       last_line=(page - 1) * size + len(lines),
                       page_range=range(1, section["pages"] + 1) if section["pages"] > 1 else ())
    return {"sections": sections}


@admin_only
def run_status_view(request, pk: int):
    run = selectors.import_run_get(request.establishment, pk)
    return JsonResponse({"status": run.status, "label": run.get_status_display(), "progress": run.progress,
                         "stage": run.stage, "running": run.is_running and not run.is_interrupted,
                         "interrupted": run.is_interrupted})


@admin_only
@require_POST
def run_apply_view(request, pk: int):
    run = selectors.import_run_get(request.establishment, pk)
    if not services.run_confirm(run, request.user):
        # A second click (or a click on an old page): the import is already under way or done; its page says so.
        run.refresh_from_db(fields=["status"])
        if run.status in (ImportRun.Status.APPLYING, ImportRun.Status.APPLIED):
            messages.info(request, "Cet import a déjà été lancé : voici son état.")
        else:
            messages.error(request, "Cet import n'est pas en attente de confirmation.")
    return redirect(_run_url(request, run))


@admin_only
@require_POST
def run_reanalyse_view(request, pk: int):
    run = selectors.import_run_get(request.establishment, pk)
    refusal = services.run_reanalyse(run)
    if refusal:
        messages.error(request, refusal)
    return redirect(_run_url(request, run))


@admin_only
@require_POST
def run_abandon_view(request, pk: int):
    run = selectors.import_run_get(request.establishment, pk)
    was_running = run.is_running
    messages.info(request, services.run_abandon(run))
    if was_running:
        return redirect(_run_url(request, run))
    return redirect("tenant:imports", uai=request.establishment.uai)


@admin_only
def run_report_csv_view(request, pk: int):
    run = selectors.import_run_get(request.establishment, pk)
    establishment = request.establishment

    def content():
        # Streamed after the view returns, outside the request's scope: the reads take it again.
        with scope(establishment=establishment):
            yield from report_csv_chunks(run)

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rapport-import-{run.pk}.csv"'
    return response


@admin_only
def hors_siecle_view(request):
    """« Fichiers hors SIECLE »: classes and learners by hand, and a CSV import of learners."""
    establishment = request.establishment
    action = request.POST.get("action") if request.method == "POST" else None
    division_form = DivisionForm(request.POST if action == "division" else None, establishment=establishment)
    learner_form = LearnerForm(request.POST if action == "learner" else None, establishment=establishment)
    csv_form = CsvUploadForm(request.POST if action == "csv" else None, request.FILES if action == "csv" else None)
    if action == "division" and division_form.is_valid():
        data = division_form.cleaned_data
        services.division_create_by_hand(establishment, request.user, data["code"], data["label"])
        messages.success(request, f"Classe {data['code']} créée.")
        return redirect("tenant:imports_hors_siecle", uai=establishment.uai)
    if action == "learner" and learner_form.is_valid():
        user = services.learner_create_by_hand(establishment, request.user, **learner_form.cleaned_data)
        messages.success(request, f"Apprenant {user.full_name} créé : identifiant « {user.login} », mot de passe "
                                  "initial : sa date de naissance au format jjmmaaaa.")
        return redirect("tenant:imports_hors_siecle", uai=establishment.uai)
    if action == "csv" and csv_form.is_valid():
        return _start_analysis(request, csv_form.uploads(), source=ImportRun.Source.CSV)
    return render(request, "imports/hors_siecle.html", {
        "division_form": division_form, "learner_form": learner_form, "csv_form": csv_form,
        "expected_header": EXPECTED_HEADER,
    }, status=400 if action else 200)


@admin_only
def csv_template_view(request):
    content = "\ufeff" + EXPECTED_HEADER + "\r\nDUPONT;Marie;14/03/2009;1234567890A;2MELEC1;F;2MEL-AP1\r\n"
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-apprenants.csv"'
    return response

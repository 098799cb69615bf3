"""Pages of the grilles de positionnement (from a scenario, menu « Gérer et évaluer les activités de formation »).

Who may open which grid: ``pedagogy.grids`` (docstring) and the rule registered in ``pedagogy.registrations``.
The grid page is filled with the keyboard (static/pedagogy/grid.js), each cell saved as it is typed through
``grid_cell_view`` (JSON); without JavaScript each learner has a plain form (``grid_learner_view``).
"""

import json
import uuid

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import access
from accounts.permissions import profile_required
from establishments.routing import tenant_url

from . import grid_selectors as selectors
from . import grids
from .evaluation_models import Grid, Level
from .grid_forms import GridForm
from .models import Scenario
from .permissions import SCENARIO_READERS, SCENARIO_WRITERS

READERS, WRITERS = SCENARIO_READERS, SCENARIO_WRITERS
LEVEL_CHOICES = [(value, grids.LEVEL_LABELS[value] + (f" – {label}" if value else " – non évalué"))
                 for value, label in Level.choices]


def _grids(request):
    return Grid.objects.filter(establishment=request.establishment).select_related(
        "scenario__version__diploma", "created_by")


def _detail_url(request, grid, detailed=False) -> str:
    url = tenant_url(request.establishment, "grid_detail", pk=grid.pk)
    return url + "?criteres=1" if detailed else url


@profile_required(*READERS)
def grid_list_view(request):
    rows = list(selectors.visible_grids(request.user)[:500])
    if request.user.profile in WRITERS:
        own = [g for g in rows if g.created_by_id == request.user.pk]
        others = [g for g in rows if g.created_by_id != request.user.pk]
    else:
        own, others = rows, []
    return render(request, "pedagogy/grids/list.html", {
        "own": own, "others": others, "may_write": request.user.profile in WRITERS})


def _create_page(request, scenario, form, status=200, error="", grid=None):
    choices = selectors.learner_choices(request.user, scenario)
    if grid is not None:  # learners already on the grid stay offered, even those the user no longer teaches
        known = {learner.pk for learner in choices.learners}
        choices.learners += [learner for learner in grid.learners.select_related("division").order_by(
            "last_name", "first_name") if learner.pk not in known]
    if request.method == "POST":
        chosen = {int(v) for v in request.POST.getlist("learners") if v.isdecimal()}
    else:
        chosen = choices.default_ids
        division, group = request.GET.get("classe", ""), request.GET.get("groupe", "")
        if division.isdecimal():
            chosen = {learner.pk for learner in choices.learners if learner.division_id == int(division)}
        elif group.isdecimal():
            found = access.visible_groups(request.user).filter(pk=int(group)).first()
            chosen = selectors.learners_of_group(found) if found else set()
        elif request.GET.get("aucun"):
            chosen = set()
        elif grid is not None:
            chosen = set(grid.learners.values_list("pk", flat=True))
    return render(request, "pedagogy/grids/create.html", {
        "scenario": scenario, "form": form, "choices": choices, "chosen": chosen, "error": error, "grid": grid,
        "competencies": list(scenario.competencies.order_by("position")),
    }, status=status)


@profile_required(*WRITERS)
def grid_create_view(request):
    """« Créer une grille de positionnement » from a scenario: learners, type and date."""
    source = request.POST if request.method == "POST" else request.GET
    scenario_id = source.get("scenario", "")
    scenario = None
    if scenario_id.isdecimal():
        scenario = Scenario.objects.filter(establishment=request.establishment, pk=int(scenario_id)).select_related(
            "version__diploma").first()
        if scenario is not None and not access.can(request.user, access.VIEW, scenario):
            scenario = None
    if scenario is None:
        return render(request, "pedagogy/grids/choose_scenario.html", {},
                      status=400 if request.method == "POST" else 200)
    if request.method != "POST":
        form = GridForm(initial={"title": scenario.title, "type": "formative", "date": timezone.localdate(),
                                 "token": uuid.uuid4().hex})
        return _create_page(request, scenario, form)
    form = GridForm(request.POST)
    if not form.is_valid():
        return _create_page(request, scenario, form, status=400)
    try:
        grid, created = grids.create_grid(
            establishment=request.establishment, actor=request.user, scenario=scenario,
            title=form.cleaned_data["title"], type=form.cleaned_data["type"], date=form.cleaned_data["date"],
            learner_ids=[v for v in request.POST.getlist("learners") if v.isdecimal()],
            token=form.cleaned_data["token"])
    except grids.GridError as error:
        field = error.code if error.code in ("date", "type") else None
        if field:
            form.add_error(field, error.message)
            return _create_page(request, scenario, form, status=400)
        return _create_page(request, scenario, form, status=400, error=error.message)
    if created:
        messages.success(request, f"La grille « {grid.title} » a été créée : saisissez les niveaux au clavier "
                                  "(flèches, 0 à 4), chaque case est enregistrée aussitôt.")
    return redirect(_detail_url(request, grid))


@profile_required(*READERS)
def grid_detail_view(request, pk: int):
    grid = access.get_or_404(request.user, access.VIEW, _grids(request), pk=pk)
    detailed = request.GET.get("criteres") == "1"
    page = selectors.grid_page(grid, detailed=detailed)
    may_change = request.user.profile in WRITERS and access.can(request.user, access.CHANGE, grid)
    return render(request, "pedagogy/grids/detail.html", {
        "grid": grid, "page": page, "detailed": detailed, "may_change": may_change,
        "may_delete": grids.may_delete(request.user, grid), "levels": LEVEL_CHOICES,
        "cell_url": tenant_url(request.establishment, "grid_cell", pk=grid.pk),
        "followup_divisions": selectors.followup_divisions(request.user, [row.learner for row in page.rows]),
    })


def _json_error(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message, **extra}, status=status)


@profile_required(*WRITERS)
@require_POST
def grid_cell_view(request, pk: int):
    """Saves one cell (level or comment) or one learner's note. JSON in, JSON out:

    ``{"learner": id, "competency": id, "criterion": id|null, "level": 0-4, "seen": 0-4}``, or with ``comment``
    and ``seen_comment``; ``{"learner": id, "note": "…", "seen_note": "…"}``. Answers 200 with the saved value,
    409 with the current value when the cell changed since the client saw it, 400 on bad input, 404 when the grid
    is gone (or not this user's to fill)."""
    grid = _grids(request).filter(pk=pk).first()
    if grid is None or not access.can(request.user, access.CHANGE, grid):
        return _json_error(grids.GRID_DELETED, 404)
    try:
        data = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        return _json_error("Requête illisible : rechargez la page.", 400)
    try:
        if "note" in data:
            note = grids.save_note(grid, request.user, learner_id=data.get("learner"), comment=data.get("note"),
                                   seen_comment=data.get("seen_note", ""))
            return JsonResponse({"ok": True, "note": note})
        value = grids.save_cell(
            grid, request.user, learner_id=data.get("learner"), competency_id=data.get("competency"),
            criterion_id=data.get("criterion"), level=data.get("level"), seen_level=data.get("seen"),
            comment=data.get("comment"), seen_comment=data.get("seen_comment"))
    except grids.GridError as error:
        return _json_error(error.message, 400)
    except grids.CellConflict as conflict:
        return _json_error(str(conflict), 409, current=conflict.current.as_json(),
                           note=conflict.current.comment)
    return JsonResponse({"ok": True, **value.as_json()})


@profile_required(*READERS)
def grid_learner_view(request, pk: int, learner_pk: int):
    """One learner's cells as a plain form (the grid without JavaScript); read-only for readers."""
    grid = access.get_or_404(request.user, access.VIEW, _grids(request), pk=pk)
    learner = grid.learners.filter(pk=learner_pk).first()
    if learner is None:
        raise Http404("Cet apprenant n'est pas sur cette grille.")
    may_change = request.user.profile in WRITERS and access.can(request.user, access.CHANGE, grid)
    errors, conflicts, status = [], [], 200
    if request.method == "POST":
        if not may_change:
            raise Http404("Vous n'avez pas accès à cet objet.")
        cells, note = selectors.learner_cells(grid, learner)
        changes = []
        for cell in cells:
            key = cell.column.key
            level, seen = request.POST.get(f"level_{key}"), request.POST.get(f"seen_level_{key}")
            comment, seen_comment = request.POST.get(f"comment_{key}"), request.POST.get(f"seen_comment_{key}")
            if level is None and comment is None:
                continue
            try:
                level_value = grids.parse_level(level) if level is not None else None
                seen_value = grids.parse_level(seen) if seen not in (None, "") else 0
            except grids.GridError as error:
                errors.append(f"{cell.column.code} : {error.message}")
                continue
            level_changed = level_value is not None and level_value != seen_value
            comment_changed = comment is not None and comment.strip() != (seen_comment or "").strip()
            if level_changed or comment_changed:
                changes.append((cell, level_value if level_changed else None, seen_value,
                                comment if comment_changed else None, seen_comment))
        if not errors:
            for cell, level_value, seen_value, comment, seen_comment in changes:
                try:
                    grids.save_cell(grid, request.user, learner_id=learner.pk, competency_id=cell.column.competency.pk,
                                    criterion_id=cell.column.criterion.pk if cell.column.criterion else None,
                                    level=level_value, seen_level=seen_value, comment=comment,
                                    seen_comment=seen_comment)
                except grids.CellConflict as conflict:
                    conflicts.append(f"{cell.column.code} : {conflict}")
                except grids.GridError as error:
                    errors.append(f"{cell.column.code} : {error.message}")
            new_note = request.POST.get("note")
            if new_note is not None and new_note.strip() != request.POST.get("seen_note", "").strip():
                try:
                    grids.save_note(grid, request.user, learner_id=learner.pk, comment=new_note,
                                    seen_comment=request.POST.get("seen_note", ""))
                except grids.CellConflict as conflict:
                    conflicts.append(f"Commentaire sur l'apprenant : {conflict}")
                except grids.GridError as error:
                    errors.append(error.message)
        if not errors and not conflicts:
            messages.success(request, f"Les niveaux de {learner.first_name} {learner.last_name} ont été "
                                      "enregistrés.")
            return redirect(_detail_url(request, grid))
        status = 400 if errors else 409
    cells, note = selectors.learner_cells(grid, learner)
    learners = list(grid.learners.order_by("last_name", "first_name", "pk").values_list("pk", flat=True))
    index = learners.index(learner.pk)
    return render(request, "pedagogy/grids/learner.html", {
        "grid": grid, "learner": learner, "cells": cells, "note": note, "levels": LEVEL_CHOICES,
        "may_change": may_change, "errors": errors, "conflicts": conflicts,
        "previous_pk": learners[index - 1] if index > 0 else None,
        "next_pk": learners[index + 1] if index + 1 < len(learners) else None,
    }, status=status)


@profile_required(*READERS)
def grid_print_view(request, pk: int):
    """The grid to print, filled or blank (``?vierge=1``), every criterion shown with ``?criteres=1``."""
    grid = access.get_or_404(request.user, access.VIEW, _grids(request), pk=pk)
    blank = request.GET.get("vierge") == "1"
    detailed = request.GET.get("criteres") == "1"
    return render(request, "pedagogy/grids/print.html", {
        "grid": grid, "page": selectors.grid_page(grid, detailed=detailed, blank=blank), "blank": blank,
        "detailed": detailed})


@profile_required(*WRITERS)
def grid_edit_view(request, pk: int):
    """« Modifier la grille » (its author): title, type, date and learners; the cells follow."""
    grid = access.get_or_404(request.user, access.VIEW, _grids(request), pk=pk)
    if not grids.may_delete(request.user, grid):
        raise Http404("Vous n'avez pas accès à cet objet.")
    if request.method != "POST":
        form = GridForm(initial={"title": grid.title, "type": grid.type, "date": grid.date})
        return _create_page(request, grid.scenario, form, grid=grid)
    form = GridForm(request.POST)
    if not form.is_valid():
        return _create_page(request, grid.scenario, form, status=400, grid=grid)
    try:
        removed = grids.update_grid(grid, actor=request.user, title=form.cleaned_data["title"],
                                    type=form.cleaned_data["type"], date=form.cleaned_data["date"],
                                    learner_ids=[v for v in request.POST.getlist("learners") if v.isdecimal()])
    except grids.GridError as error:
        if error.code in ("date", "type"):
            form.add_error(error.code, error.message)
            return _create_page(request, grid.scenario, form, status=400, grid=grid)
        return _create_page(request, grid.scenario, form, status=400, error=error.message, grid=grid)
    message = f"La grille « {grid.title} » a été modifiée."
    if removed:
        message += f" {len(removed)} apprenant(s) retiré(s) avec leurs niveaux sur cette grille."
    messages.success(request, message)
    return redirect(_detail_url(request, grid))


@profile_required(*WRITERS)
def grid_delete_view(request, pk: int):
    grid = access.get_or_404(request.user, access.VIEW, _grids(request), pk=pk)
    if not grids.may_delete(request.user, grid):
        raise Http404("Vous n'avez pas accès à cet objet.")
    if request.method == "POST":
        title = grid.title
        grids.delete_grid(grid, actor=request.user)
        messages.success(request, f"La grille « {title} » et ses niveaux ont été supprimés.")
        return redirect(tenant_url(request.establishment, "grids"))
    return render(request, "pedagogy/grids/delete.html", {
        "grid": grid, "cells": grid.observations.count()})


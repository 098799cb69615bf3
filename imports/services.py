"""Import services: receive files, analyse them, apply the analysed plan in one transaction, keep the history.

Views, tasks and the ``import_files`` command call these; they run inside the establishment's scope.

- ``run_create``: stores the uploaded files in a private directory and records a pending ``ImportRun``;
- ``run_analyse``: reads the stored files and computes the plan (writes nothing but the run's own row);
- ``run_apply``: under a lock on the establishment, recomputes the plan, checks it is the one analysed, writes
  it all in one transaction, then deletes the files;
- ``import_files``: the same, at once, for the command line.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import User
from establishments.models import Establishment

from .analysis import BaseState, Plan, build_csv_plan, build_plan, load_state, plan_summary, problem_dict
from .apply import apply_plan
from .models import ImportRun
from .parsing import FileKind, Upload, parse_learners_csv, read_uploads
from .parsing.errors import error

logger = logging.getLogger(__name__)

STALE_MESSAGE = ("La base a changé depuis l'analyse (un autre import ou une modification des utilisateurs) : "
                 "rien n'a été importé. Analysez de nouveau les fichiers avant de les importer.")


class StalePlanError(Exception):
    """The base no longer gives the plan that was analysed and shown."""


# --- private storage of the uploaded files ------------------------------------------------------------------


def upload_dir(run: ImportRun) -> Path:
    """``MEDIA_ROOT/imports/<UAI>/<token>/``: random, never listed, never served (see README)."""
    return Path(settings.MEDIA_ROOT) / "imports" / run.establishment.uai / run.token.hex


def _store(run: ImportRun, index: int, upload: UploadedFile) -> dict:
    directory = upload_dir(run)
    directory.mkdir(parents=True, exist_ok=True)
    stored = f"{index}.bin"  # the client's file name is shown, never used as a path
    digest = hashlib.sha256()
    size = 0
    with open(directory / stored, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"name": Path(upload.name or "fichier").name[:200], "size": size, "sha256": digest.hexdigest(),
            "stored": stored}


def delete_files(run: ImportRun) -> None:
    shutil.rmtree(upload_dir(run), ignore_errors=True)


def run_create(establishment: Establishment, actor: User | None,
               uploads: Iterable[tuple[UploadedFile, list[str] | None]],
               source: str = ImportRun.Source.SIECLE, today: date | None = None) -> ImportRun:
    """Records a new import with its files (each with the kinds its form field accepts, None: any).

    An analysis waiting for confirmation is abandoned: only the latest one can be imported.
    """
    for old in ImportRun.objects.filter(establishment=establishment, status__in=[
            ImportRun.Status.ANALYSED, ImportRun.Status.STALE]):
        delete_files(old)
        old.status = ImportRun.Status.ABANDONED
        old.save(update_fields=["status"])
    run = ImportRun.objects.create(
        establishment=establishment, source=source, created_by=actor,
        created_by_name=audit.actor_display(actor)[:300], today=today or timezone.localdate(),
    )
    files = []
    for index, (upload, expected) in enumerate(uploads):
        info = _store(run, index, upload)
        info["expected"] = expected
        files.append(info)
    run.files = files
    run.save(update_fields=["files"])
    return run


def _progress(run: ImportRun, progress: int, stage: str, **fields) -> None:
    run.progress, run.stage = progress, stage
    for name, value in fields.items():
        setattr(run, name, value)
    ImportRun.objects.filter(pk=run.pk).update(progress=progress, stage=stage, **fields)


# --- analysis ------------------------------------------------------------------------------------------------


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while an import builds its tens of thousands of objects (records, plan,
    rows): none of them is garbage yet, and each collection would walk them all again (about 10 % of an
    import). Memory is still freed by reference counting; the collector resumes right after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stored_uploads(run: ImportRun) -> list[Upload]:
    directory = upload_dir(run)
    uploads = []
    for info in run.files:
        expected = info.get("expected")
        kinds = frozenset(FileKind(k) for k in expected) if expected else None
        uploads.append(Upload(name=info["name"], content=directory / info["stored"], expected=kinds))
    return uploads


def compute_plan(run: ImportRun) -> tuple[Plan, BaseState]:
    """Reads the run's stored files and compares them with the base (nothing written)."""
    with _gc_paused():
        return _compute_plan(run)


def _compute_plan(run: ImportRun) -> tuple[Plan, BaseState]:
    establishment = run.establishment
    if run.source == ImportRun.Source.CSV:
        info = run.files[0]
        parsed = parse_learners_csv(upload_dir(run) / info["stored"], name=info["name"])
        state = load_state(establishment)
        return build_csv_plan(parsed.learners, parsed.problems, parsed.file, state, run.today), state
    bundle = read_uploads(_stored_uploads(run), establishment.uai, run.today)
    state = load_state(establishment)
    return build_plan(bundle, state, run.today), state


def run_analyse(run: ImportRun) -> ImportRun:
    """Analyses the run's files; a refused file leaves the run REFUSED with every problem, the files deleted."""
    _progress(run, 10, "Lecture des fichiers et comparaison avec la base…", status=ImportRun.Status.ANALYSING)
    try:
        plan, _state = compute_plan(run)
    except Exception:
        logger.exception("analysis of import run %s failed", run.pk)
        delete_files(run)
        _progress(run, 100, "", status=ImportRun.Status.FAILED,
                  error="L'analyse a échoué à cause d'une erreur interne : rien n'a été importé.")
        raise
    run.problems = [problem_dict(p) for p in plan.problems]
    run.summary = plan_summary(plan)
    run.kinds = plan.kinds
    run.learners_without_ine = plan.learners_without_ine
    run.analysed_at = timezone.now()
    run.plan_digest = "" if plan.refused else plan.digest
    run.status = ImportRun.Status.REFUSED if plan.refused else ImportRun.Status.ANALYSED
    run.progress, run.stage = 100, ""
    run.save()
    if plan.refused:
        delete_files(run)
    return run


# --- apply ---------------------------------------------------------------------------------------------------


def _lock(establishment: Establishment) -> None:
    # Two imports of one establishment never interleave: the second waits here, then finds the base changed.
    Establishment.objects.select_for_update().filter(pk=establishment.pk).first()


def _applied(run: ImportRun, plan: Plan, actor: User | None, now) -> None:
    run.status = ImportRun.Status.APPLIED
    run.applied_at = now
    run.counts = plan.counts
    run.kinds = plan.kinds
    run.includes_sts = FileKind.STS.value in plan.kinds
    run.learners_without_ine = plan.learners_without_ine
    run.problems = [problem_dict(p) for p in plan.problems]
    run.summary = plan_summary(plan)
    run.progress, run.stage = 100, ""
    run.save()
    audit.record(run.establishment, actor, "import.apply", target=run.file_names,
                 details={"run": run.pk, "counts": plan.counts})


def run_apply(run: ImportRun, actor: User | None, *, before_write: Callable[[Plan], None] | None = None) -> ImportRun:
    """Imports what was analysed, in one transaction, or nothing (base changed: STALE; crash: FAILED)."""
    if run.status not in (ImportRun.Status.ANALYSED, ImportRun.Status.APPLYING):
        return run
    _progress(run, 20, "Import en cours…", status=ImportRun.Status.APPLYING)
    try:
        with transaction.atomic():
            _lock(run.establishment)
            plan, state = compute_plan(run)
            if plan.refused or plan.digest != run.plan_digest:
                raise StalePlanError
            if before_write is not None:
                before_write(plan)
            now = timezone.now()
            with _gc_paused():
                apply_plan(plan, state, establishment=run.establishment, run=run, now=now)
            _applied(run, plan, actor, now)
    except StalePlanError:
        _progress(run, 100, "", status=ImportRun.Status.STALE, error=STALE_MESSAGE)
        return run
    except Exception as exc:
        logger.exception("import run %s failed", run.pk)
        delete_files(run)
        _progress(run, 100, "", status=ImportRun.Status.FAILED,
                  error=f"L'import a échoué ({exc.__class__.__name__}) : rien n'a été importé, la base est "
                        "restée telle qu'avant. Recommencez ; si l'échec se répète, contactez l'assistance.")
        raise
    delete_files(run)
    return run


def run_reanalyse(run: ImportRun) -> ImportRun:
    """After a STALE import: analyse the same stored files again."""
    if run.status == ImportRun.Status.STALE:
        run.status = ImportRun.Status.PENDING
        run.error = ""
        run.save(update_fields=["status", "error"])
    return run


def run_abandon(run: ImportRun) -> None:
    if run.status in (ImportRun.Status.ANALYSED, ImportRun.Status.STALE, ImportRun.Status.REFUSED):
        delete_files(run)
        if run.status != ImportRun.Status.REFUSED:
            run.status = ImportRun.Status.ABANDONED
            run.save(update_fields=["status"])


# --- command line --------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    ok: bool
    plan: Plan
    run: ImportRun | None

    def as_json(self) -> dict:
        counts = self.plan.counts
        return {
            "ok": self.ok,
            "counts": counts,
            "learners_without_ine": self.plan.learners_without_ine,
            "problems": [{"file": p.file, "line": p.line, "record": p.record, "message": p.message,
                          "severity": p.severity} for p in self.plan.problems],
        }


def import_files(establishment: Establishment, paths: list[Path], *, actor: User | None = None,
                 today: date | None = None, analyse_only: bool = False) -> ImportOutcome:
    """Analyses files given by path (recognised by content, plain or zipped) and, unless ``analyse_only``,
    imports them in one transaction (STS-web first). A refused set of files writes nothing."""
    today = today or timezone.localdate()
    with _gc_paused():
        return _import_files(establishment, paths, actor=actor, today=today, analyse_only=analyse_only)


def _import_files(establishment: Establishment, paths: list[Path], *, actor: User | None, today: date,
                  analyse_only: bool) -> ImportOutcome:
    uploads = [Upload(name=path.name, content=path) for path in paths]
    if analyse_only:
        bundle = read_uploads(uploads, establishment.uai, today)
        plan = build_plan(bundle, load_state(establishment), today)
        return ImportOutcome(ok=not plan.refused, plan=plan, run=None)
    with transaction.atomic():
        _lock(establishment)
        bundle = read_uploads(uploads, establishment.uai, today)
        state = load_state(establishment)
        plan = build_plan(bundle, state, today)
        if plan.refused:
            return ImportOutcome(ok=False, plan=plan, run=None)
        files = [{"name": path.name, "size": path.stat().st_size, "sha256": _sha256(path), "stored": ""}
                 for path in paths]
        now = timezone.now()
        run = ImportRun.objects.create(establishment=establishment, created_by=actor, files=files, today=today,
                                       created_by_name=audit.actor_display(actor)[:300], analysed_at=now,
                                       plan_digest=plan.digest)
        apply_plan(plan, state, establishment=establishment, run=run, now=now)
        _applied(run, plan, actor, now)
    return ImportOutcome(ok=True, plan=plan, run=run)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def refused_outcome(message: str) -> dict:
    return {"ok": False, "counts": {}, "learners_without_ine": 0,
            "problems": [problem_dict(error("", message))]}


# --- « Fichiers hors SIECLE »: classes and learners by hand ---------------------------------------------------


def division_create_by_hand(establishment: Establishment, actor: User | None, code: str, label: str = ""):
    """A class created by hand (establishments without SIECLE)."""
    from establishments.models import Division

    division = Division.objects.create(establishment=establishment, code=code, label=label, created_by_hand=True)
    audit.record(establishment, actor, "division.create", target=code)
    return division


def learner_create_by_hand(establishment: Establishment, actor: User | None, *, last_name: str, first_name: str,
                           birth_date: date, ine: str | None = None, division=None) -> User:
    """A learner created by hand: login ``prenom.nom``, initial password = birth date (jjmmaaaa)."""
    from accounts.logins import make_unique_login
    from accounts.models import Profile

    with transaction.atomic():
        _lock(establishment)
        taken = {login.lower() for login in User.objects.filter(establishment=establishment)
                 .values_list("login", flat=True)}
        user = User(establishment=establishment, login=make_unique_login(first_name, last_name, taken),
                    last_name=last_name, first_name=first_name, birth_date=birth_date, ine=ine, division=division,
                    profile=Profile.LEARNER, created_by_hand=True)
        user.set_initial_password()
        user.save()
        audit.record(establishment, actor, "user.create", target=user.login, details={"profile": user.profile})
    return user

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
import re
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.enrolments import enrol
from accounts.models import User
from establishments import audit
from establishments.models import Establishment
from establishments.scoping import scope
from establishments.tasks import send_after_commit
from referentiels.cohorts import propose_cohorts

from .analysis import BaseState, Plan, build_csv_plan, build_plan, load_state, plan_summary, problem_dict
from .apply import apply_plan
from .models import ImportRun, lease_seconds
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
    waiting = [ImportRun.Status.ANALYSED, ImportRun.Status.STALE]
    for old in ImportRun.objects.filter(establishment=establishment, status__in=waiting):
        # Conditional: an import confirmed meanwhile keeps its files.
        if _transition(old, waiting, status=ImportRun.Status.ABANDONED):
            delete_files(old)
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


RUNNING = (ImportRun.Status.PENDING, ImportRun.Status.ANALYSING, ImportRun.Status.APPLYING)

ANALYSIS_FAILED = ("L'analyse a échoué à cause d'une erreur interne : rien n'a été importé, les fichiers reçus ont "
                   "été supprimés. Déposez-les de nouveau ; si l'échec se répète, contactez l'assistance.")
INTERRUPTED_MESSAGE = ("Le traitement a été interrompu (serveur arrêté ou redémarré) : rien n'a été importé, les "
                       "fichiers reçus ont été supprimés. Déposez-les de nouveau.")
FILES_GONE_MESSAGE = ("Les fichiers de cet import ont déjà été supprimés : il ne peut plus être analysé. "
                      "Déposez de nouveau les fichiers depuis la page Importations.")


def _transition(run: ImportRun, from_statuses: Iterable[str], *, extra_filter=None, **fields) -> bool:
    """Moves the run with one conditional UPDATE, only if it is still in one of ``from_statuses``: of two
    concurrent callers (two clicks, a worker and a user), exactly one wins. True for the winner."""
    rows = ImportRun.objects.filter(pk=run.pk, status__in=list(from_statuses))
    if extra_filter is not None:
        rows = rows.filter(extra_filter)
    with transaction.atomic():  # a savepoint: a refused write leaves an enclosing transaction usable
        moved = rows.update(**fields)
    if moved:
        for name, value in fields.items():
            setattr(run, name, value)
    return bool(moved)


def _progress(run: ImportRun, progress: int, stage: str, **fields) -> None:
    _transition(run, RUNNING, progress=progress, stage=stage, heartbeat_at=timezone.now(), **fields)


def _fail(run: ImportRun, message: str) -> None:
    """Any failure ends the run FAILED with a French message and its files deleted, never "en cours"."""
    delete_files(run)
    try:
        _transition(run, RUNNING, status=ImportRun.Status.FAILED, progress=100, stage="", error=message)
    except Exception:
        logger.exception("could not record the failure of import run %s", run.pk)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _printable(value):
    """The JSON kept on the run never holds a control character (PostgreSQL refuses U+0000)."""
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"U+{ord(m.group()):04X}", value)
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(item) for item in value]
    return value


def heartbeat_seconds() -> float:
    return max(lease_seconds() / 5, 0.05)


@contextmanager
def _heartbeat(run: ImportRun, *, writing: bool = False) -> Iterator[None]:
    """While the work runs, a thread refreshes the run's lease on its own connection (outside the import's
    transaction, so others see it). When the process dies, the beats stop and the lease expires.

    SQLite locks the whole database for a writing transaction: there, an import (``writing``) gives no beat
    rather than contend with itself; the lease then covers the whole import."""
    if writing and connection.vendor == "sqlite":
        yield
        return
    stop = threading.Event()
    establishment = run.establishment

    def beat() -> None:
        used = False
        try:
            with scope(establishment=establishment):
                while not stop.wait(heartbeat_seconds()):
                    used = True
                    try:
                        ImportRun.objects.filter(pk=run.pk, status__in=RUNNING).update(heartbeat_at=timezone.now())
                    except Exception:  # a busy database: the next beat tries again
                        logger.warning("heartbeat of import run %s failed", run.pk, exc_info=True)
        finally:
            if used:
                connection.close()

    thread = threading.Thread(target=beat, name=f"import-heartbeat-{run.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def files_present(run: ImportRun) -> bool:
    directory = upload_dir(run)
    return bool(run.files) and all((directory / info["stored"]).is_file() for info in run.files)


def run_queue_analysis(run: ImportRun) -> None:
    """Sends the analysis to a worker once the run's row is committed (embedded mode: analysed at once)."""
    from .tasks import analyse_run_task

    send_after_commit(analyse_run_task, run.establishment, run.pk)


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
    """Analyses a PENDING run's files (one caller only); a refused file leaves the run REFUSED with every
    problem, the files deleted; any failure leaves it FAILED with its files deleted."""
    if not _transition(run, [ImportRun.Status.PENDING], status=ImportRun.Status.ANALYSING, progress=10,
                       stage="Lecture des fichiers et comparaison avec la base…", heartbeat_at=timezone.now()):
        return run
    try:
        with _heartbeat(run):
            plan, _state = compute_plan(run)
            refused = plan.refused
            _transition(
                run, [ImportRun.Status.ANALYSING],
                problems=_printable([problem_dict(p) for p in plan.problems]),
                summary=_printable(plan_summary(plan)),
                kinds=plan.kinds,
                learners_without_ine=plan.learners_without_ine,
                analysed_at=timezone.now(),
                plan_digest="" if refused else plan.digest,
                status=ImportRun.Status.REFUSED if refused else ImportRun.Status.ANALYSED,
                progress=100, stage="",
            )
    except Exception:
        logger.exception("analysis of import run %s failed", run.pk)
        _fail(run, ANALYSIS_FAILED)
        raise
    if run.status != ImportRun.Status.ANALYSED:  # refused, or abandoned meanwhile: the files are not needed
        delete_files(run)
    return run


# --- apply ---------------------------------------------------------------------------------------------------


def _lock(establishment: Establishment) -> None:
    # Two imports of one establishment never interleave: the second waits here, then finds the base changed.
    Establishment.objects.select_for_update().filter(pk=establishment.pk).first()


def _import_alive(run: ImportRun) -> bool:
    """An import holds the establishment's lock for its whole transaction: if the lock is free, no import of
    this establishment is running (where the database can tell; SQLite cannot, the lease alone decides)."""
    if not connection.features.has_select_for_update_nowait:
        return False
    try:
        with transaction.atomic():
            Establishment.objects.select_for_update(nowait=True).filter(pk=run.establishment_id).first()
    except DatabaseError:
        return True
    return False


def _applied(run: ImportRun, plan: Plan, actor: User | None, now) -> None:
    run.status = ImportRun.Status.APPLIED
    run.applied_at = now
    run.counts = plan.counts
    run.kinds = plan.kinds
    run.includes_sts = FileKind.STS.value in plan.kinds
    run.learners_without_ine = plan.learners_without_ine
    run.problems = _printable([problem_dict(p) for p in plan.problems])
    run.summary = _printable(plan_summary(plan))
    if FileKind.LEARNERS.value in plan.kinds:
        # Each class tied to a diploma from its learners' MEF codes; the report says which (issue 10).
        run.summary["cohorts"] = propose_cohorts(run.establishment)
    run.progress, run.stage = 100, ""
    run.save()
    audit.record(run.establishment, actor, "import.apply", target=run.file_names,
                 details={"run": run.pk, "counts": plan.counts})


def run_confirm(run: ImportRun, actor: User | None) -> bool:
    """« Importer les fichiers »: one atomic state change from ANALYSED to APPLYING; only its winner queues the
    import (sent once committed). A second click, or a click on another state, changes nothing: False."""
    if not _transition(run, [ImportRun.Status.ANALYSED], status=ImportRun.Status.APPLYING, progress=10,
                       stage="Import en cours…", heartbeat_at=timezone.now(), error=""):
        return False
    from .tasks import apply_run_task

    send_after_commit(apply_run_task, run.establishment, run.pk, actor.pk if actor else None)
    return True


def run_apply(run: ImportRun, actor: User | None, *, before_write: Callable[[Plan], None] | None = None) -> ImportRun:
    """Imports what was analysed, in one transaction, or nothing (base changed: STALE; any failure: FAILED).

    Works only on a confirmed run (APPLYING; an ANALYSED run is confirmed first). A run that another worker
    finished meanwhile (a redelivered task) is left as it is.
    """
    if run.status == ImportRun.Status.ANALYSED:
        _transition(run, [ImportRun.Status.ANALYSED], status=ImportRun.Status.APPLYING, heartbeat_at=timezone.now())
    if run.status != ImportRun.Status.APPLYING:
        return run
    _progress(run, 20, "Import en cours…")
    try:
        with _heartbeat(run, writing=True), transaction.atomic():
            _lock(run.establishment)
            current = ImportRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
            if current != ImportRun.Status.APPLYING:
                run.refresh_from_db()
                return run
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
        _transition(run, [ImportRun.Status.APPLYING], status=ImportRun.Status.STALE, progress=100, stage="",
                    error=STALE_MESSAGE)
        return run
    except Exception as exc:
        logger.exception("import run %s failed", run.pk)
        _fail(run, f"L'import a échoué ({exc.__class__.__name__}) : rien n'a été importé, la base est restée "
                   "telle qu'avant. Recommencez ; si l'échec se répète, contactez l'assistance.")
        raise
    delete_files(run)
    return run


def run_reanalyse(run: ImportRun) -> str | None:
    """After a STALE import: analyse the same stored files again. Returns why not, in French, if it cannot."""
    if run.status != ImportRun.Status.STALE:
        return "Cet import n'est pas à analyser de nouveau."
    if not files_present(run):
        delete_files(run)
        _transition(run, [ImportRun.Status.STALE], status=ImportRun.Status.ABANDONED)
        return FILES_GONE_MESSAGE
    if _transition(run, [ImportRun.Status.STALE], status=ImportRun.Status.PENDING, error="", progress=0, stage="",
                   heartbeat_at=timezone.now()):
        run_queue_analysis(run)
    return None


def run_abandon(run: ImportRun) -> str:
    """« Abandonner »: an analysis waiting for confirmation is dropped; a run whose work died (lease expired)
    ends FAILED. The files are deleted. Returns what happened, in French."""
    if run.status in (ImportRun.Status.ANALYSED, ImportRun.Status.STALE):
        delete_files(run)
        _transition(run, [ImportRun.Status.ANALYSED, ImportRun.Status.STALE], status=ImportRun.Status.ABANDONED)
        return "Analyse abandonnée : rien n'a été importé."
    if run.status == ImportRun.Status.REFUSED:
        delete_files(run)
        return "Analyse abandonnée : rien n'a été importé."
    if run.is_running:
        cutoff = timezone.now() - timedelta(seconds=lease_seconds())
        expired = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
        if not run.is_interrupted or (run.status == ImportRun.Status.APPLYING and _import_alive(run)):
            return "Le traitement est en cours : attendez qu'il se termine."
        if _transition(run, RUNNING, extra_filter=expired, status=ImportRun.Status.FAILED, progress=100,
                       stage="", error=INTERRUPTED_MESSAGE):
            delete_files(run)
            return "Traitement interrompu abandonné : rien n'a été importé."
        run.refresh_from_db()
        return "Le traitement vient de reprendre : attendez qu'il se termine."
    return "Cet import est terminé : il n'y a rien à abandonner."


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
        enrol(user)  # the class history starts the day the learner is created
        audit.record(establishment, actor, "user.create", target=user.login, details={"profile": user.profile})
    return user

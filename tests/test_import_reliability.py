"""Imports that go wrong: double clicks, broken files, dead workers, files gone (issue 9, items 5, 6, 7, 11)."""

import datetime
import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Profile, User
from establishments.scoping import scope
from imports import services
from imports.models import ImportRun
from tests.conftest import PASSWORD
from tests.import_samples import SMALL, CommittingClient

STS = SMALL / "sts_emp_0999999F_2026.xml"
CSV_HEADER = "nom;prenom;date_naissance;ine;classe\r\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school(make_establishment):
    return make_establishment(uai="0999999F", name="Lycée Synthétique", email="ce.0999999f@ac-toulouse.fr")


@pytest.fixture
def admin(school, make_user):
    return make_user(school, Profile.ADMIN, login="admin.lycee", last_name="Martin", first_name="Claire")


@pytest.fixture
def client(admin):
    client = CommittingClient()
    assert client.post("/0999999F/connexion/", {"username": admin.login, "password": PASSWORD}).status_code == 302
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def latest_run(school) -> ImportRun:
    with scope(establishment=school):
        return ImportRun.objects.filter(establishment=school).first()


def analysed_run(school, admin, path=STS) -> ImportRun:
    """A run analysed and waiting for « Importer les fichiers », as the upload page leaves it."""
    with scope(establishment=school):
        run = services.run_create(school, admin, [(SimpleUploadedFile(path.name, path.read_bytes()), None)])
        services.run_analyse(run)
    assert run.status == ImportRun.Status.ANALYSED, run.problems
    return run


def set_run(run: ImportRun, **fields) -> None:
    with scope(establishment=run.establishment):
        ImportRun.objects.filter(pk=run.pk).update(**fields)


def post_csv(client, content: bytes):
    return client.post("/0999999F/imports/hors-siecle/", {
        "action": "csv", "csv": SimpleUploadedFile("apprenants.csv", content)})


# --- 9.5: one confirmation, one import ---------------------------------------------------------------------


@pytest.mark.django_db
def test_two_clicks_on_import_seen_as_analysed_queue_one_import(school, admin, django_capture_on_commit_callbacks):
    run = analysed_run(school, admin)
    with scope(establishment=school):
        # Two requests that both loaded the run while it was still "analysed".
        first, second = ImportRun.objects.get(pk=run.pk), ImportRun.objects.get(pk=run.pk)
        with django_capture_on_commit_callbacks(execute=True) as sent:
            assert services.run_confirm(first, admin) is True
            assert services.run_confirm(second, admin) is False

    assert len(sent) == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED and run.error == ""
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.TEACHER).count() == 8


@pytest.mark.django_db
def test_a_second_click_shows_the_report_with_the_initial_passwords(client, school):
    client.post("/0999999F/imports/analyse/", {"section": "sts", "sts-sts": SimpleUploadedFile(
        STS.name, STS.read_bytes())})
    run = latest_run(school)
    client.post(f"/0999999F/imports/{run.pk}/importer/")

    page = text(client.post(f"/0999999F/imports/{run.pk}/importer/", follow=True))

    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    assert "Cet import a déjà été lancé" in page
    assert "Rapport d'import" in page and "1965-10-19" in page  # a teacher's initial password


@pytest.mark.django_db
def test_analyse_again_when_the_files_are_gone_says_so(client, school, admin):
    run = analysed_run(school, admin)
    set_run(run, status=ImportRun.Status.STALE, error=services.STALE_MESSAGE)
    services.delete_files(run)

    page = text(client.post(f"/0999999F/imports/{run.pk}/analyser/", follow=True))

    assert "Les fichiers de cet import ont déjà été supprimés" in page
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ABANDONED
    assert "Analyser de nouveau" not in page


# --- 9.6: any failure ends the run, with its files deleted ---------------------------------------------------


@pytest.mark.django_db
def test_nul_byte_deep_in_a_csv_is_refused_and_stored_nowhere(client, school):
    rows = "".join(f"NOM{i};Prénom;14/03/2009;;CAP1\r\n" for i in range(200))
    content = (CSV_HEADER + rows + "DU\x00PONT;Léa;01/01/2009;;CAP1\r\n").encode()

    post_csv(client, content)

    run = latest_run(school)
    assert run.status == ImportRun.Status.REFUSED
    page = text(client.get(f"/0999999F/imports/{run.pk}/"))
    assert "caractère de contrôle invisible (U+0000)" in page and "<td>202</td>" in page
    with scope(establishment=school):
        assert not User.objects.filter(profile=Profile.LEARNER).exists()
    assert not services.upload_dir(run).exists()


@pytest.mark.django_db
def test_a_failure_while_recording_the_analysis_ends_the_run_failed(client, school, monkeypatch):
    def broken_summary(plan):
        raise ValueError("the database refused the summary")

    monkeypatch.setattr(services, "plan_summary", broken_summary)
    client.post("/0999999F/imports/analyse/", {"section": "sts", "sts-sts": SimpleUploadedFile(
        STS.name, STS.read_bytes())})

    run = latest_run(school)
    assert run.status == ImportRun.Status.FAILED and not run.is_running
    assert run.error.startswith("L'analyse a échoué")
    assert not services.upload_dir(run).exists()
    assert "L'analyse a échoué" in text(client.get(f"/0999999F/imports/{run.pk}/"))


@pytest.mark.django_db
def test_a_failure_during_the_import_ends_the_run_failed_and_writes_nothing(school, admin):
    run = analysed_run(school, admin)

    def crash(plan):
        raise RuntimeError("disk full")

    with scope(establishment=school), pytest.raises(RuntimeError):
        services.run_apply(run, admin, before_write=crash)

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and "rien n'a été importé" in run.error
    assert not services.upload_dir(run).exists()
    with scope(establishment=school):
        assert not User.objects.filter(profile=Profile.TEACHER).exists()


# --- 9.7: a run whose worker died is recognised and can be ended --------------------------------------------


@pytest.mark.django_db
def test_an_import_whose_worker_died_is_shown_interrupted_and_can_be_abandoned(client, school, admin):
    run = analysed_run(school, admin)
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    set_run(run, status=ImportRun.Status.APPLYING, heartbeat_at=long_ago)

    page = text(client.get(f"/0999999F/imports/{run.pk}/"))
    assert "Traitement interrompu" in page
    assert client.get(f"/0999999F/imports/{run.pk}/etat/").json()["running"] is False
    history = text(client.get("/0999999F/imports/"))
    assert "Traitement interrompu" in history and "Import en cours" not in history

    page = text(client.post(f"/0999999F/imports/{run.pk}/abandonner/", follow=True))

    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED and run.error == services.INTERRUPTED_MESSAGE
    assert "Traitement interrompu abandonné" in page
    assert not services.upload_dir(run).exists()


@pytest.mark.django_db
def test_a_running_import_with_a_fresh_heartbeat_is_not_abandoned(client, school, admin):
    run = analysed_run(school, admin)
    set_run(run, status=ImportRun.Status.APPLYING, heartbeat_at=timezone.now())

    page = text(client.post(f"/0999999F/imports/{run.pk}/abandonner/", follow=True))

    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLYING
    assert "Le traitement est en cours" in page and "Traitement interrompu" not in page
    assert services.upload_dir(run).exists()


@pytest.mark.django_db(transaction=True)
def test_the_work_refreshes_its_lease_while_it_runs(make_establishment, make_user, settings, monkeypatch):
    school = make_establishment(uai="0999999F", name="Lycée Synthétique")
    admin = make_user(school, Profile.ADMIN, login="admin.lycee")
    settings.IMPORT_LEASE_SECONDS = 0.5  # a beat every 0.1 s
    with scope(establishment=school):
        run = services.run_create(school, admin, [(SimpleUploadedFile(STS.name, STS.read_bytes()), None)])
    real_compute = services.compute_plan
    seen = []

    def slow_compute(run_):
        started = ImportRun.objects.get(pk=run_.pk).heartbeat_at
        import time

        time.sleep(0.6)
        seen.append((started, ImportRun.objects.get(pk=run_.pk).heartbeat_at))
        return real_compute(run_)

    monkeypatch.setattr(services, "compute_plan", slow_compute)
    with scope(establishment=school):
        services.run_analyse(run)

    [(started, later)] = seen
    assert later > started
    run.refresh_from_db()
    assert run.status == ImportRun.Status.ANALYSED


# --- 9.11: what the README promises ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hors_siecle_csv_never_deactivates_the_learners_absent_from_it(client, school):
    both = (CSV_HEADER + "DUPONT;Marie;14/03/2009;1234567890A;CAP1\r\nMARTIN;Léo;02/05/2009;;CAP1\r\n").encode()
    only_marie = (CSV_HEADER + "DUPONT;Marie;14/03/2009;1234567890A;CAP1\r\n").encode()
    post_csv(client, both)
    client.post(f"/0999999F/imports/{latest_run(school).pk}/importer/")

    post_csv(client, only_marie)
    run = latest_run(school)
    assert run.summary["counts"]["learners"]["deactivated"] == 0
    client.post(f"/0999999F/imports/{run.pk}/importer/")

    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED
    assert run.counts["learners"]["deactivated"] == 0
    with scope(establishment=school):
        assert User.objects.get(last_name="MARTIN").is_active


@pytest.mark.django_db
def test_an_inactive_establishments_pages_are_not_served(client, school):
    assert client.get("/0999999F/imports/").status_code == 200
    school.is_active = False
    school.save(update_fields=["is_active"])

    for path in ("/0999999F/", "/0999999F/connexion/", "/0999999F/imports/", "/0999999F/imports/hors-siecle/"):
        assert client.get(path).status_code == 404, path


def test_samples_are_held_by_the_project():
    assert SMALL.is_relative_to(Path(__file__).parent)
    assert STS.is_file()


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_import_holding_the_lock_is_never_abandoned(make_establishment, make_user):
    import threading

    from django.db import connection, transaction

    from establishments.models import Establishment

    if not connection.features.has_select_for_update_nowait:
        pytest.skip("row locks (select_for_update nowait) need PostgreSQL")
    school = make_establishment(uai="0999999F", name="Lycée Synthétique")
    admin = make_user(school, Profile.ADMIN, login="admin.lycee")
    run = analysed_run(school, admin)
    set_run(run, status=ImportRun.Status.APPLYING, heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    locked, release = threading.Event(), threading.Event()

    def import_in_progress():  # another worker, alive, inside its import transaction
        with transaction.atomic():
            Establishment.objects.select_for_update().filter(pk=school.pk).first()
            locked.set()
            release.wait(10)
        connection.close()

    worker = threading.Thread(target=import_in_progress)
    worker.start()
    try:
        assert locked.wait(10)
        run.refresh_from_db()
        with scope(establishment=school):
            message = services.run_abandon(run)
    finally:
        release.set()
        worker.join()
    assert message == "Le traitement est en cours : attendez qu'il se termine."
    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLYING


@pytest.mark.django_db
def test_a_redelivered_import_task_leaves_an_applied_run_alone(school, admin, django_capture_on_commit_callbacks):
    from imports.tasks import apply_run_task

    run = analysed_run(school, admin)
    with scope(establishment=school), django_capture_on_commit_callbacks(execute=True):
        services.run_confirm(run, admin)
    run.refresh_from_db()
    applied_at = run.applied_at

    assert apply_run_task.apply(args=(school.pk, run.pk, admin.pk)).get() == ImportRun.Status.APPLIED

    run.refresh_from_db()
    assert run.status == ImportRun.Status.APPLIED and run.applied_at == applied_at
    with scope(establishment=school):
        assert User.objects.filter(profile=Profile.TEACHER).count() == 8

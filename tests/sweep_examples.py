"""Example URL parameters for the isolation sweep: ``url name → f(establishment, users) → kwargs``.

``users`` maps each Profile to a user of ``establishment``: the learner is in a class taught by the teacher and
linked to the guardian. Create the objects inside ``establishment``: the sweep checks that a user of another
establishment gets 404 on them, that the teacher of another class and the guardian of another learner are refused
them, and (calling the same function for another establishment) that an object of another establishment cannot be
reached through this establishment's URL.
"""


def _group(establishment, users):
    from establishments.models import TeachingGroup
    from establishments.scoping import scopes_disabled

    with scopes_disabled():
        group, _ = TeachingGroup.objects.get_or_create(establishment=establishment, code="2MELEC1-ATELIER")
    return {"group_pk": group.pk}


def _division(establishment, users):
    from establishments.models import Division
    from establishments.scoping import scopes_disabled

    with scopes_disabled():
        division, _ = Division.objects.get_or_create(establishment=establishment, code="2MELEC1")
    return {"division_pk": division.pk}


def _import_run(establishment, users):
    import datetime

    from establishments.scoping import scopes_disabled
    from imports.models import ImportRun

    with scopes_disabled():
        run = ImportRun.objects.create(establishment=establishment, today=datetime.date(2026, 11, 23),
                                       status=ImportRun.Status.APPLIED)
    return {"pk": run.pk}


def _learner(establishment, users):
    return {"pk": users["apprenant"].pk}


def _achievement(establishment, users):
    from establishments.scoping import scopes_disabled
    from tests.testapp.models import Achievement

    with scopes_disabled():
        achievement = Achievement.objects.create(establishment=establishment, learner=users["apprenant"],
                                                 title="Stage en entreprise")
    return {"pk": achievement.pk}


def _document(establishment, users):
    """A built document owned by the user the sweep admits (the first profile in order): only its owner gets it."""
    import datetime

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from documents.models import GeneratedDocument
    from establishments.scoping import scopes_disabled

    name = f"documents/{establishment.uai}/exemple-balayage.csv"  # one fixed file: runs do not pile files up
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"exemple"))
    with scopes_disabled():
        document = GeneratedDocument.objects.create(
            establishment=establishment, owner=users[sorted(users)[0]], kind="exemple", title="Exemple",
            status=GeneratedDocument.Status.READY, file=name, filename="exemple.csv", content_type="text/csv",
            expires_at=timezone.now() + datetime.timedelta(days=1))
    return {"pk": document.pk}


def _referentiel(establishment, users):
    """A version of a diploma only ``establishment`` subscribes to (the référentiels are global, the
    subscriptions are not: another establishment's diploma is a 404)."""
    from establishments.scoping import scopes_disabled
    from referentiels.models import Diploma, ReferentielVersion
    from referentiels.services import subscribe

    code = f"ex{establishment.uai.lower()}"
    diploma, _ = Diploma.objects.get_or_create(code=code, defaults={"name": "Exemple", "kind": "BAC_PRO"})
    ReferentielVersion.objects.get_or_create(diploma=diploma, code="2024", defaults={
        "label": f"{code} 2024", "source": "Arrêté d'exemple"})
    with scopes_disabled():
        subscribe(establishment, diploma)
    return {"diploma": code, "version": "2024"}


def _scenario(establishment, users):
    """A scenario written by the establishment's teacher (the sweep's admitted teacher is its author)."""
    from establishments.scoping import scopes_disabled
    from pedagogy.models import Scenario
    from referentiels.models import Diploma, ReferentielVersion
    from referentiels.services import subscribe

    diploma, _ = Diploma.objects.get_or_create(code="exscen", defaults={"name": "Exemple", "kind": "BAC_PRO"})
    version, _ = ReferentielVersion.objects.get_or_create(diploma=diploma, code="2024", defaults={
        "label": "exscen 2024", "source": "Arrêté d'exemple"})
    with scopes_disabled():
        subscribe(establishment, diploma)
        scenario = Scenario.objects.create(establishment=establishment, version=version, class_level="1RE",
                                           title="Scénario d'exemple")
        scenario.authors.add(users["enseignant"])
    return {"pk": scenario.pk}


def _received_scenario(establishment, users):
    from establishments.scoping import scopes_disabled
    from pedagogy.models import ScenarioShare

    kwargs = _scenario(establishment, users)
    with scopes_disabled():
        from pedagogy.models import Scenario

        scenario = Scenario.objects.get(pk=kwargs["pk"])
        share = ScenarioShare.objects.create(
            establishment=establishment, from_establishment=establishment, from_uai=establishment.uai,
            from_name="Lycée d'exemple", title=scenario.title, version=scenario.version, class_level="1RE",
            snapshot={"title": scenario.title})
    return {"pk": share.pk}


def _scenario_file(establishment, users):
    """A scenario of the establishment's teacher with one file resource (its file exists: downloads answer 200)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from establishments.scoping import scopes_disabled
    from pedagogy.models import ScenarioResource

    kwargs = _scenario(establishment, users)
    name = f"scenarios/{establishment.uai}/exemple-balayage.pdf"  # one fixed file: runs do not pile files up
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    with scopes_disabled():
        resource = ScenarioResource.objects.create(
            establishment=establishment, scenario_id=kwargs["pk"], kind="file", title="Exemple.pdf",
            file_path=name, size=15, content_type="application/pdf")
    return {**kwargs, "resource_pk": resource.pk}


def _placement(establishment, users):
    """A PFMP placement of the establishment's learner (class 2MELEC1, taught by the sweep's teacher), with one
    competency selected for the bilan entreprise."""
    from establishments.scoping import scopes_disabled
    from referentiels.models import Diploma, ReferentielVersion
    from tests.pfmp_factory import make_period, place
    from tests.referentiel_factory import make_version

    with scopes_disabled():
        version = (ReferentielVersion.objects.filter(diploma__code="exportf").first()
                   or make_version("exportf", "2024"))
        Diploma.objects.filter(code="exportf").update(name="Exemple PFMP")
        period = make_period(establishment, version)
        placement = place(period, users["apprenant"], company_name="Électricité Martin")
        placement.assessed_competencies.add(version.competencies.first())
    return {"pk": placement.pk}


def _portfolio_period(establishment, users):
    from establishments.scoping import scopes_disabled
    from periods.models import Placement

    with scopes_disabled():
        return {"period_pk": Placement.objects.get(pk=_placement(establishment, users)["pk"]).period_id}


def _fiche(establishment, users):
    from establishments.scoping import scopes_disabled
    from periods.models import ActivityFiche

    kwargs = _placement(establishment, users)
    with scopes_disabled():
        fiche = ActivityFiche.objects.create(establishment=establishment, placement_id=kwargs["pk"],
                                             title="Pose de prises", description="J'ai posé des prises.")
    return {**kwargs, "fiche_pk": fiche.pk}


def _fiche_attachment(establishment, users):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from establishments.scoping import scopes_disabled
    from periods.models import FicheAttachment

    kwargs = _fiche(establishment, users)
    name = f"portfolios/{establishment.uai}/exemple-balayage.pdf"  # one fixed file: runs do not pile files up
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    with scopes_disabled():
        attachment = FicheAttachment.objects.create(establishment=establishment, fiche_id=kwargs.pop("fiche_pk"),
                                                    title="Photo.pdf", file=name, size=15,
                                                    content_type="application/pdf")
    return {**kwargs, "attachment_pk": attachment.pk}


def _pfmp_annex(establishment, users):
    """An annex pédagogique of a diploma the establishment subscribes to (issue 13)."""
    from establishments.scoping import scopes_disabled
    from periods.models import PedagogicalAnnex
    from referentiels.models import Diploma, ReferentielVersion
    from referentiels.services import subscribe

    diploma, _ = Diploma.objects.get_or_create(code="expfmp", defaults={"name": "Exemple", "kind": "BAC_PRO"})
    version, _ = ReferentielVersion.objects.get_or_create(diploma=diploma, code="2024", defaults={
        "label": "expfmp 2024", "source": "Arrêté d'exemple"})
    with scopes_disabled():
        subscribe(establishment, diploma)
        annex = PedagogicalAnnex.objects.create(establishment=establishment, version=version, class_level="2NDE",
                                                title="Annexe d'exemple")
    return {"pk": annex.pk}


def _pfmp_period(establishment, users):
    """A PFMP with the sweep's learner on it (issue 13)."""
    import datetime

    from establishments.models import SchoolYear
    from establishments.scoping import scopes_disabled
    from periods.models import PedagogicalAnnex, Placement, WorkPeriod

    annex_pk = _pfmp_annex(establishment, users)["pk"]
    with scopes_disabled():
        annex = PedagogicalAnnex.objects.get(pk=annex_pk)
        year, _ = SchoolYear.objects.get_or_create(establishment=establishment, start_year=2026,
                                                   defaults=SchoolYear.default_values(2026))
        period = WorkPeriod.objects.create(establishment=establishment, annex=annex, school_year=year,
                                           version=annex.version, class_level="2NDE", title="PFMP d'exemple",
                                           start_date=datetime.date(2026, 11, 16), end_date=datetime.date(2026, 12, 4))
        Placement.objects.create(establishment=establishment, period=period, learner=users["apprenant"],
                                 period_title=period.title, days_planned=15)
    return {"pk": period.pk}


def _pfmp_placement(establishment, users):
    """The sweep's learner on a PFMP: the period and the placement."""
    from establishments.scoping import scopes_disabled
    from periods.models import Placement

    period_pk = _pfmp_period(establishment, users)["pk"]
    with scopes_disabled():
        placement = Placement.objects.get(period_id=period_pk)
    return {"pk": period_pk, "placement_pk": placement.pk}


def _bilan_setup(establishment, users):
    """The sweep's class 2MELEC1 tied to a version in Seconde, with a trimester; returns (learner, period)."""
    import datetime

    from establishments.models import Division, SchoolYear
    from establishments.scoping import scopes_disabled
    from periods.models import OfficialPeriod
    from referentiels.establishment_models import Cohort
    from referentiels.models import Competency, Diploma, ReferentielVersion
    from referentiels.services import subscribe

    diploma, _ = Diploma.objects.get_or_create(code="exbilan", defaults={"name": "Exemple", "kind": "BAC_PRO"})
    version, _ = ReferentielVersion.objects.get_or_create(diploma=diploma, code="2024", defaults={
        "label": "exbilan 2024", "source": "Arrêté d'exemple"})
    Competency.objects.get_or_create(version=version, code="C1", defaults={"label": "Réaliser", "position": 1})
    with scopes_disabled():
        subscribe(establishment, diploma)
        division, _ = Division.objects.get_or_create(establishment=establishment, code="2MELEC1")
        Cohort.objects.get_or_create(establishment=establishment, division=division,
                                     defaults={"version": version, "class_level": "2NDE"})
        year, _ = SchoolYear.objects.get_or_create(establishment=establishment, start_year=2026,
                                                   defaults=SchoolYear.default_values(2026))
        period, _ = OfficialPeriod.objects.get_or_create(
            establishment=establishment, school_year=year, diploma=diploma, class_level="2NDE", kind="trimestre",
            label="Trimestre 1", defaults={"start_date": datetime.date(2026, 9, 1),
                                           "end_date": datetime.date(2026, 11, 30)})
    return users["apprenant"], period, division, version


def _bilan_class(establishment, users):
    _learner, period, division, _version = _bilan_setup(establishment, users)
    return {"division_pk": division.pk, "period_pk": period.pk}


def _bilan_learner(establishment, users):
    learner, period, _division, _version = _bilan_setup(establishment, users)
    return {"learner_pk": learner.pk, "period_pk": period.pk}


def _bilan(establishment, users):
    """A validated bilan of the sweep's learner, written by the establishment's teacher."""
    from django.utils import timezone

    from establishments.scoping import scopes_disabled
    from pedagogy.evaluation_models import Bilan

    learner, period, _division, version = _bilan_setup(establishment, users)
    with scopes_disabled():
        bilan, _ = Bilan.objects.get_or_create(establishment=establishment, learner=learner, period=period, defaults={
            "period_label": period.label, "period_start": period.start_date, "period_end": period.end_date,
            "version": version, "status": Bilan.Status.VALIDATED, "author": users["enseignant"],
            "validated_at": timezone.now(), "appreciation": "Bon trimestre."})
    return {"pk": bilan.pk}


def _grid(establishment, users):
    """A grid of the establishment's scenario, made by its teacher for the class's learner (one cell filled)."""
    import datetime

    from establishments.scoping import scopes_disabled
    from pedagogy.models import Grid, Observation, Scenario
    from referentiels.models import Competency

    kwargs = _scenario(establishment, users)
    with scopes_disabled():
        scenario = Scenario.objects.get(pk=kwargs["pk"])
        competency, _ = Competency.objects.get_or_create(version=scenario.version, code="C1",
                                                         defaults={"label": "Compétence d'exemple"})
        scenario.competencies.add(competency)
        grid = Grid.objects.create(establishment=establishment, scenario=scenario, title="Grille d'exemple",
                                   date=datetime.date.today(), created_by=users["enseignant"])
        grid.learners.add(users["apprenant"])
        Observation.objects.create(establishment=establishment, learner=users["apprenant"], competency=competency,
                                   level=2, type="formative", date=grid.date, grid=grid)
    return {"pk": grid.pk}


def _grid_learner(establishment, users):
    return {**_grid(establishment, users), "learner_pk": users["apprenant"].pk}


def _book_achievement(establishment, users):
    """An achievement of the establishment's learner, the book activated (issue 14)."""
    import datetime

    from establishments.scoping import scopes_disabled
    from pedagogy.models import Achievement

    establishment.book_enabled = True
    establishment.save(update_fields=["book_enabled"])
    with scopes_disabled():
        achievement = Achievement.objects.create(establishment=establishment, learner=users["apprenant"],
                                                 title="Réussite", date=datetime.date(2026, 10, 1))
    return {"pk": achievement.pk}


def _book_file(establishment, users):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from establishments.scoping import scopes_disabled
    from pedagogy.models import AchievementFile

    kwargs = _book_achievement(establishment, users)
    name = f"book/{establishment.uai}/exemple-balayage.pdf"  # one fixed file: runs do not pile files up
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    with scopes_disabled():
        row = AchievementFile.objects.create(establishment=establishment, achievement_id=kwargs["pk"],
                                             title="Exemple.pdf", file=name, size=15,
                                             content_type="application/pdf")
    return {**kwargs, "file_pk": row.pk}


def _book_learner(establishment, users):
    establishment.book_enabled = True
    establishment.save(update_fields=["book_enabled"])
    return _learner(establishment, users)


URL_EXAMPLES: dict = {
    # Imports (issue 3)
    "tenant:imports_run": _import_run,
    "tenant:imports_run_status": _import_run,
    "tenant:imports_run_apply": _import_run,
    "tenant:imports_run_reanalyse": _import_run,
    "tenant:imports_run_abandon": _import_run,
    "tenant:imports_run_report_csv": _import_run,
    # Paramètres and users (issue 4): the object is a learner, the account others would most want to reach.
    "tenant:user_detail": _learner,
    "tenant:user_deactivate": _learner,
    "tenant:user_reactivate": _learner,
    "tenant:user_password_reset": _learner,
    "tenant:user_email": _learner,
    "tenant:learner_access_odt": _division,
    # Documents (issue 8)
    "tenant:learner_access_pdf": _division,
    "tenant:document_download": _document,
    "tenant:inspector_close": lambda est, users: {"pk": users["inspecteur"].pk},
    # Référentiels (issue 10)
    "tenant:referentiel_version": _referentiel,
    "tenant:referentiels_class": _division,
    # Scénarios pédagogiques (issue 11)
    "tenant:scenario_detail": _scenario,
    "tenant:scenario_edit": _scenario,
    "tenant:scenario_duplicate": _scenario,
    "tenant:scenario_delete": _scenario,
    "tenant:scenario_share": _scenario,
    "tenant:scenario_received_import": _received_scenario,
    "tenant:scenario_export_odt": _scenario,
    "tenant:scenario_export_docx": _scenario,
    "tenant:scenario_resource_add": _scenario,
    "tenant:scenario_resource_delete": _scenario_file,
    "tenant:scenario_resource_download": _scenario_file,
    # Grilles de positionnement (issue 12)
    "tenant:grid_detail": _grid,
    "tenant:grid_cell": _grid,
    "tenant:grid_learner": _grid_learner,
    "tenant:grid_print": _grid,
    "tenant:grid_edit": _grid,
    "tenant:grid_delete": _grid,
    # Portfolio des activités en entreprise and bilan entreprise (issue 13)
    "tenant:portfolio_period": _portfolio_period,
    "tenant:portfolio_detail": _placement,
    "tenant:portfolio_company": _placement,
    "tenant:portfolio_selection": _placement,
    "tenant:fiche_create": _placement,
    "tenant:fiche_edit": _fiche,
    "tenant:fiche_delete": _fiche,
    "tenant:fiche_review": _fiche,
    "tenant:fiche_attachment": _fiche_attachment,
    "tenant:fiche_attachment_delete": _fiche_attachment,
    "tenant:company_bilan": _placement,
    "tenant:company_bilan_link": _placement,
    "tenant:company_bilan_revoke": _placement,
    "tenant:company_bilan_validate": _placement,
    "tenant:company_bilan_print": _placement,
    # Suivi des acquis (issue 12)
    "tenant:followup_learner": _learner,
    "tenant:followup_class": _division,
    "tenant:followup_group": _group,
    # Périodes en entreprise (issue 13)
    "tenant:annex_edit": _pfmp_annex,
    "tenant:annex_duplicate": _pfmp_annex,
    "tenant:annex_delete": _pfmp_annex,
    "tenant:period_declare": _pfmp_annex,
    "tenant:period_detail": _pfmp_period,
    "tenant:period_edit": _pfmp_period,
    "tenant:period_delete": _pfmp_period,
    "tenant:period_days": _pfmp_period,
    "tenant:period_remove_learner": _pfmp_placement,
    "tenant:period_referent": _pfmp_period,
    "tenant:pfmp_weeks_minimum": lambda est, users: {"code": _referentiel(est, users)["diploma"]},
    # Bilans intermédiaires (issue 12)
    "tenant:bilans_class": _bilan_class,
    "tenant:bilans_class_pdf": _bilan_class,
    "tenant:bilan_edit": _bilan_learner,
    "tenant:bilan_detail": _bilan,
    "tenant:bilan_pdf": _bilan,
    "tenant:bilan_reopen": _bilan,
    # Book des apprenants and passeport professionnel (issue 14)
    "tenant:book_learner": _book_learner,
    "tenant:book_achievement": _book_achievement,
    "tenant:book_achievement_edit": _book_achievement,
    "tenant:book_achievement_delete": _book_achievement,
    "tenant:book_achievement_pick": _book_achievement,
    "tenant:book_file_add": _book_achievement,
    "tenant:book_comment": _book_achievement,
    "tenant:book_file": _book_file,
    "tenant:book_file_delete": _book_file,
    "tenant:learner_passport": _learner,
    "tenant:learner_passport_pdf": _learner,
    # Deliberately broken views of tests/testapp/views_broken.py (the sweep must catch them).
    "essai:achievement_rename": _achievement,
    "essai:achievement_rename_unscoped": _achievement,
    "essai:achievement_rename_fixed": _achievement,
}

# URLs taking an object that every teacher of the establishment may see (the establishment's scenarios, say):
# the sweep does not expect the teacher of another class to be refused them.
SHARED_WITH_EVERY_TEACHER: set[str] = {"tenant:referentiel_version", "tenant:scenario_detail",
                                       "tenant:scenario_duplicate", "tenant:scenario_received_import",
                                       "tenant:scenario_export_odt", "tenant:scenario_export_docx",
                                       "tenant:scenario_resource_download",
                                       # Périodes en entreprise (issue 13): annexes and periods are the
                                       # establishment's; a period's page lists only the learners one may see.
                                       "tenant:annex_edit", "tenant:annex_duplicate", "tenant:annex_delete",
                                       "tenant:period_declare", "tenant:period_detail", "tenant:period_days",
                                       "tenant:period_edit", "tenant:period_delete",
                                       "tenant:pfmp_weeks_minimum"}


def _console_class(establishment, users):
    """A class tied to a diploma of the establishment, with a trimester of the current school year (pilot console)."""
    import datetime

    from django.utils import timezone

    from accounts.enrolments import school_year_of
    from establishments.models import Division, school_year_start
    from establishments.scoping import scopes_disabled
    from periods.models import OfficialPeriod
    from referentiels.establishment_models import Cohort
    from referentiels.models import Diploma, ReferentielVersion
    from referentiels.services import subscribe

    diploma, _ = Diploma.objects.get_or_create(code="excons", defaults={"name": "Exemple", "kind": "BAC_PRO"})
    version, _ = ReferentielVersion.objects.get_or_create(diploma=diploma, code="2024", defaults={
        "label": "excons 2024", "source": "Arrêté d'exemple"})
    with scopes_disabled():
        subscribe(establishment, diploma)
        division, _ = Division.objects.get_or_create(establishment=establishment, code="2CONS1")
        Cohort.objects.get_or_create(establishment=establishment, division=division,
                                     defaults={"version": version, "class_level": "2NDE"})
        year = school_year_of(establishment, school_year_start(timezone.localdate()))
        period, _ = OfficialPeriod.objects.get_or_create(
            establishment=establishment, school_year=year, diploma=diploma, class_level="2NDE", kind="trimestre",
            label="Trimestre 1", defaults={"start_date": year.start_date,
                                           "end_date": year.start_date + datetime.timedelta(days=80)})
    return {"division_pk": division.pk, "period_pk": period.pk}


def _console_period(establishment, users):
    return {"pk": _console_class(establishment, users)["period_pk"]}


URL_EXAMPLES.update({
    # Console de pilotage (issue 14)
    "tenant:console_period_edit": _console_period,
    "tenant:console_period_delete": _console_period,
    "tenant:console_bilans_missing": _console_class,
    "tenant:console_coverage": lambda est, users: {"division_pk": _console_class(est, users)["division_pk"]},
})

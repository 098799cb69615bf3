"""Example URL parameters for the isolation sweep: ``url name → f(establishment, users) → kwargs``.

``users`` maps each Profile to a user of ``establishment``. Create the objects inside the establishment: the
sweep checks that a user of another establishment gets 404 on them.
"""


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


URL_EXAMPLES: dict = {
    # Imports (issue 3)
    "tenant:imports_run": _import_run,
    "tenant:imports_run_status": _import_run,
    "tenant:imports_run_apply": _import_run,
    "tenant:imports_run_reanalyse": _import_run,
    "tenant:imports_run_abandon": _import_run,
    "tenant:imports_run_report_csv": _import_run,
    # Paramètres and users (issue 4)
    "tenant:user_detail": lambda est, users: {"pk": users["enseignant"].pk},
    "tenant:user_deactivate": lambda est, users: {"pk": users["enseignant"].pk},
    "tenant:user_reactivate": lambda est, users: {"pk": users["enseignant"].pk},
    "tenant:user_password_reset": lambda est, users: {"pk": users["enseignant"].pk},
    "tenant:user_email": lambda est, users: {"pk": users["enseignant"].pk},
    "tenant:learner_access_odt": _division,
    "tenant:inspector_close": lambda est, users: {"pk": users["inspecteur"].pk},
}

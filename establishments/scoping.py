"""Tenant scoping: every establishment-owned model inherits ``EstablishmentOwned``.

Its default manager is a django-scopes ``ScopedManager``: a query run while no establishment scope is active
raises ``ScopeError`` instead of returning every establishment's rows. Requests under ``/<UAI>/`` run inside
the scope of their establishment (``establishments.middleware``); code that legitimately works across
establishments (authentication, the platform staff console, background jobs, operations commands) opens
``scopes_disabled()`` and is listed in ``SCOPES_DISABLED_ALLOWED`` (a test checks nothing else does).
"""

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled

__all__ = ["GLOBAL_MODELS", "EstablishmentOwned", "ScopedManager", "scope", "scopes_disabled"]


class EstablishmentOwned(models.Model):
    establishment = models.ForeignKey(
        "establishments.Establishment", on_delete=models.CASCADE, verbose_name="établissement"
    )

    objects = ScopedManager(establishment="establishment")

    class Meta:
        abstract = True


# The only models of the project that are not establishment data ("app_label.ModelName"). National reference
# data (référentiels) join this list as they arrive. Third-party apps (Django, axes, dsfr) are outside it.
GLOBAL_MODELS = {
    "establishments.Establishment",
    "transfers.DailyJobRun",
    "referentiels.Diploma",
    "referentiels.ReferentielVersion",
    "referentiels.MefCode",
    "referentiels.Block",
    "referentiels.Activity",
    "referentiels.Task",
    "referentiels.Competency",
    "referentiels.Criterion",
    "referentiels.BlockCompetency",
    "referentiels.TaskCompetency",
    "referentiels.CompetencyTransversal",
    "referentiels.CodeCorrespondence",
}

# Modules allowed to open ``scopes_disabled()``; anything else doing so fails tests/test_scoping.py.
SCOPES_DISABLED_ALLOWED = {
    "establishments/scoping.py",
    "establishments/middleware.py",
    "accounts/management/commands/demo.py",
    "accounts/backends.py",
    "accounts/management/commands/createsuperuser.py",
    "transfers/services.py",
    "transfers/purge.py",
    "transfers/management/commands/bench_daily_jobs.py",
    "referentiels/usage.py",  # a référentiel version is frozen by the evidence of any establishment
}

# Auto-created many-to-many tables ("app_label.Model_field"): neither global nor establishment-owned, they are
# allowed only here, between establishment-owned models (or Django's permission models). Code reaches them
# through the related managers of scoped rows (``user.teaching_groups.all()`` goes through the scoped manager
# of the other end); reaching the table itself (its ``through`` model) goes around the scoped manager.
M2M_TABLES = {
    "accounts.User_teaching_groups": "groupes d'un utilisateur, écrits par l'import de son établissement",
    "accounts.User_divisions_taught": "classes d'un enseignant, écrites par l'import de son établissement",
    "establishments.TeachingGroup_divisions": "classes d'un groupe, écrites par l'import de l'établissement",
    "accounts.User_groups": "groupes de droits Django (console de la plateforme)",
    "accounts.User_user_permissions": "droits Django (console de la plateforme)",
    "pedagogy.Scenario_authors": "auteurs d'un scénario, enseignants de son établissement",
    "pedagogy.Scenario_tasks": "tâches du référentiel (données nationales) liées à un scénario",
    "pedagogy.Scenario_competencies": "compétences du référentiel (données nationales) liées à un scénario",
    "pedagogy.Scenario_criteria": "critères du référentiel (données nationales) liés à un scénario",
    "pedagogy.Scenario_transversal_competencies": "compétences transversales (données nationales) d'un scénario",
    "pedagogy.Grid_learners": "apprenants d'une grille, de l'établissement de la grille",
    "periods.PedagogicalAnnex_tasks": "tâches du référentiel (données nationales) d'une annexe pédagogique",
    "periods.WorkPeriod_tasks": "tâches du référentiel (données nationales) d'une période en entreprise",
    "periods.Placement_assessed_competencies": "compétences (données nationales) évaluées en entreprise",
    "periods.Placement_assessed_criteria": "critères (données nationales) évalués en entreprise",
    "periods.ActivityFiche_tasks": "tâches du référentiel (données nationales) cochées sur une fiche activité",
    "pedagogy.Achievement_tasks": "tâches du référentiel (données nationales) d'une réalisation du book",
}

# Modules allowed to reach establishment data around the scoped manager (the base or default manager, the
# ``through`` model of a many-to-many field, raw SQL in any form; the patterns are in tests/test_scoping.py):
# the cross-establishment jobs and the bulk writers, each filtering by ids it already scoped.
UNSCOPED_SQL_ALLOWED = {
    "imports/apply.py",  # COPY of an import's new users, all of the establishment being imported
    "imports/analysis.py",  # reads the many-to-many tables, filtered by the establishment being imported
    "accounts/learner_data.py",  # the rows of given learners, for the daily jobs
    "accounts/models.py",  # the enrolments' transfer move (runs in the daily job, across establishments)
    "transfers/registry.py",
    "transfers/services.py",
    "transfers/jobs.py",  # no establishment data: the advisory lock that makes a day's job exclusive
    "transfers/management/commands/bench_daily_jobs.py",
    "console/management/commands/bench_console.py",  # ANALYZE of the tables it has just filled (no data read)
    "pedagogy/followup.py",  # a raw SQL expression (the decay of a weight) inside an establishment-scoped queryset
    "transfers/purge.py",  # per-relation deletes of the purged users' rows, across establishments (daily job)
}

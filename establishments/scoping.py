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
}

# Modules allowed to reach establishment data around the scoped manager (the base manager, raw SQL through a
# cursor): the cross-establishment jobs and the bulk writers, each filtering by ids it already scoped.
UNSCOPED_SQL_ALLOWED = {
    "imports/apply.py",  # COPY of an import's new users, all of the establishment being imported
    "transfers/registry.py",
    "transfers/services.py",
    "transfers/management/commands/bench_daily_jobs.py",
}

"""The layers migrations move AuditEntry to the tenant core and ScenarioFieldLabel to pedagogy without touching
the tables: the rows written before are read after (establishments 0004_layers, accounts 0005, pedagogy 0001)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from establishments.models import AuditEntry
from establishments.scoping import scopes_disabled
from pedagogy.models import ScenarioFieldLabel

BEFORE = [("establishments", "0003_schoolyear"), ("accounts", "0004_enrolments")]


@pytest.mark.django_db(transaction=True)
def test_the_audit_log_and_the_masks_survive_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        establishment = old.get_model("establishments", "Establishment").objects.create(uai="0750654D", name="L")
        old.get_model("accounts", "AuditEntry")._base_manager.create(
            establishment=establishment, actor_name="Système", action="user.create", target="DURAND Julien")
        old.get_model("establishments", "ScenarioFieldLabel")._base_manager.create(
            establishment=establishment, diploma_code="MELEC", field="title", label="Intitulé de la séquence")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    with scopes_disabled():
        assert list(AuditEntry.objects.values_list("action", "target")) == [("user.create", "DURAND Julien")]
        assert list(ScenarioFieldLabel.objects.values_list("diploma_code", "label")) == [
            ("MELEC", "Intitulé de la séquence")]

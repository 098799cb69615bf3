from django.contrib import admin

from . import extensions
from .models import Establishment
from .scoping import scope


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "email", "transfer_enabled", "is_active", "created_at", "setup_progress"]
    list_filter = ["is_active", "transfer_enabled", "book_enabled"]
    search_fields = ["uai", "name", "email"]

    @admin.display(description="mise en service")
    def setup_progress(self, obj: Establishment) -> str:
        """The set-up steps the apps register (the pilot console's progress bar), so the staff see who is stuck."""
        with scope(establishment=obj):
            steps = extensions.setup_steps(obj)
        if not steps:
            return "—"
        done = sum(step.done for step in steps)
        todo = next((step for step in steps if not step.done), None)
        if todo is None:
            return f"{done}/{len(steps)} — terminé"
        return f"{done}/{len(steps)} — à faire : {todo.label}{f' ({todo.missing})' if todo.missing else ''}"

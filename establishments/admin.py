from django.contrib import admin
from django.utils.html import format_html, format_html_join

from . import extensions
from .models import Establishment
from .scoping import scope


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "setup_progress", "email", "transfer_enabled", "is_active", "created_at"]
    list_filter = ["is_active", "transfer_enabled", "book_enabled"]
    search_fields = ["uai", "name", "email"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "setup_progress_detail"] if obj is not None else readonly

    @admin.display(description="mise en service (étapes)")
    def setup_progress_detail(self, obj: Establishment) -> str:
        with scope(establishment=obj):
            steps = extensions.setup_steps(obj)
        return format_html("<ol>{}</ol>", format_html_join(
            "", "<li>{} : {}{}</li>",
            ((step.label, "fait" if step.done else "à faire", f" ({step.missing})" if step.missing else "")
             for step in steps)))

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

"""Django admin (console /plateforme/) for the national référentiels: read-only, since the data comes from the
files loaded by ``load_referentiel`` (editing rows here would go around its checks and its immutability rule).
The one thing the platform staff set here is a version's « figée » flag (freeze a version by hand)."""

from django.contrib import admin

from .models import (
    Activity,
    Block,
    CodeCorrespondence,
    Competency,
    Criterion,
    Diploma,
    MefCode,
    ReferentielVersion,
    Task,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        editable = set(getattr(self, "editable_fields", ()))
        return [f.name for f in self.model._meta.fields if f.name not in editable]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VersionInline(ReadOnlyInline):
    model = ReferentielVersion
    fields = ["label", "code", "cfd", "first_session", "predecessor", "frozen"]


@admin.register(Diploma)
class DiplomaAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "cfd"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "cfd"]
    inlines = [VersionInline]


class MefInline(ReadOnlyInline):
    model = MefCode
    fields = ["code", "class_level"]


class BlockInline(ReadOnlyInline):
    model = Block
    fields = ["position", "code", "kind", "label"]


class CorrespondenceInline(ReadOnlyInline):
    model = CodeCorrespondence
    fields = ["kind", "old_code", "new_code"]


@admin.register(ReferentielVersion)
class ReferentielVersionAdmin(ReadOnlyAdmin):
    editable_fields = ["frozen"]
    list_display = ["label", "diploma", "cfd", "first_session", "predecessor", "frozen", "used"]
    list_filter = ["diploma", "frozen"]
    search_fields = ["label", "cfd", "source"]
    inlines = [MefInline, BlockInline, CorrespondenceInline]

    @admin.display(boolean=True, description="utilisée")
    def used(self, obj):
        return obj.is_used


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "version", "block"]
    list_filter = ["version"]
    search_fields = ["code", "label"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "version", "activity", "class_levels"]
    list_filter = ["version"]
    search_fields = ["code", "label"]
    list_select_related = ["version", "activity"]


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["position", "label"]


@admin.register(Competency)
class CompetencyAdmin(ReadOnlyAdmin):
    list_display = ["code", "label", "version", "kind", "class_levels"]
    list_filter = ["version", "kind"]
    search_fields = ["code", "label"]
    list_select_related = ["version"]
    inlines = [CriterionInline]

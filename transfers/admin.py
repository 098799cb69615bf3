"""The platform staff's console for transfers: the manual requests to carry out, and the automatic records."""

from django.contrib import admin, messages

from .manual import manual_transfer_request_mark_done
from .models import ManualTransferRequest, TransferRecord


@admin.register(ManualTransferRequest)
class ManualTransferRequestAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "establishment", "learner", "learner_ine", "destination_uai", "consent",
                    "requested_by", "done", "done_at"]
    list_filter = ["done", "consent"]
    search_fields = ["destination_uai", "establishment__uai", "learner__last_name", "learner__ine"]
    list_select_related = ["establishment", "learner", "requested_by"]
    readonly_fields = ["establishment", "learner", "destination_uai", "consent", "requested_by", "requested_at",
                       "done", "done_at"]
    actions = ["mark_done"]

    @admin.display(description="INE")
    def learner_ine(self, obj):
        return obj.learner.ine or "—"

    @admin.action(description="Marquer comme effectué")
    def mark_done(self, request, queryset):
        count = sum(manual_transfer_request_mark_done(request=r, actor=request.user) for r in queryset)
        self.message_user(request, f"{count} demande(s) marquée(s) comme effectuée(s).", messages.SUCCESS)

    def has_add_permission(self, request):
        return False  # requests come from the establishments' administrators

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TransferRecord)
class TransferRecordAdmin(admin.ModelAdmin):
    list_display = ["attempted_at", "establishment", "direction", "learner_name", "ine", "other_uai", "done",
                    "cause"]
    list_filter = ["direction", "done"]
    search_fields = ["ine", "other_uai", "establishment__uai", "learner_name"]
    list_select_related = ["establishment"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

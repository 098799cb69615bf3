from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from establishments.admin import EstablishmentAdmin as TenantEstablishmentAdmin
from establishments.models import AuditEntry, Establishment

from . import services
from .logins import normalize_login
from .models import User


class UserAdminForm(forms.ModelForm):
    """Logins typed in the console follow the same normalisation as everywhere (accounts.logins).

    No ``Meta``: the console gives the form its model and fields."""

    def clean_login(self):
        login = normalize_login(self.cleaned_data.get("login"))
        if login is None:
            raise forms.ValidationError("Un identifiant ne contient que des lettres sans accent, des chiffres et "
                                        "les signes . - _ (pas d'espace).")
        return login


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    list_display = ["login", "last_name", "first_name", "profile", "establishment", "is_active", "created_by_hand"]
    list_filter = ["profile", "is_active", "created_by_hand", "is_staff"]
    search_fields = ["login", "last_name", "first_name", "email", "ine", "establishment__uai"]
    list_select_related = ["establishment"]
    raw_id_fields = ["establishment"]
    exclude = ["password", "user_permissions", "groups"]
    readonly_fields = ["last_login", "date_joined", "deactivated_at"]
    actions = ["send_temporary_password"]

    @admin.action(description="Envoyer un nouveau mot de passe temporaire par e-mail (et lever le blocage)")
    def send_temporary_password(self, request, queryset):
        for user in queryset.select_related("establishment"):
            try:
                message = services.platform_password_reset(actor=request.user, user=user, request=request)
            except services.AccountError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, message, messages.SUCCESS)


# Establishments: the console's add form also creates the first administrator -----------------------------------


class EstablishmentCreationForm(forms.ModelForm):  # the console gives it the model and its fields
    admin_email = forms.EmailField(label="E-mail du premier administrateur",
                                   help_text="Son identifiant et un mot de passe temporaire y sont envoyés.")
    admin_first_name = forms.CharField(label="Prénom du premier administrateur", required=False, max_length=150)
    admin_last_name = forms.CharField(label="Nom du premier administrateur", required=False, max_length=150,
                                      help_text="Sans nom ni prénom, l'identifiant est « administrateur ».")


class FirstAdministratorFailed(Exception):
    """Raised out of the console's transaction: neither the establishment nor its administrator is kept."""


class EstablishmentAdmin(TenantEstablishmentAdmin):
    """The tenant core's admin, plus the first administrator (the tenant core never imports accounts)."""

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = EstablishmentCreationForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            return
        data = form.cleaned_data
        try:
            request.first_admin, _password = services.first_administrator_create(
                establishment=obj, email=data["admin_email"], first_name=data.get("admin_first_name", ""),
                last_name=data.get("admin_last_name", ""), actor=request.user, request=request)
        except services.AccountError as error:
            raise FirstAdministratorFailed(str(error)) from error

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except FirstAdministratorFailed as error:
            self.message_user(request, f"{error} L'établissement n'a pas été créé.", messages.ERROR)
            return HttpResponseRedirect(request.path)

    def response_add(self, request, obj, post_url_continue=None):
        first_admin = getattr(request, "first_admin", None)
        if first_admin is not None:
            self.message_user(request, f"Premier administrateur créé : identifiant « {first_admin.login} » ; son "
                                       f"mot de passe temporaire a été envoyé à {first_admin.email}.",
                              messages.SUCCESS)
        return super().response_add(request, obj, post_url_continue)


admin.site.unregister(Establishment)
admin.site.register(Establishment, EstablishmentAdmin)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The establishments' audit logs, read-only for the platform staff."""

    list_display = ["created_at", "establishment", "actor_name", "action", "target"]
    list_filter = ["action"]
    search_fields = ["establishment__uai", "actor_name", "target", "action"]
    list_select_related = ["establishment"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

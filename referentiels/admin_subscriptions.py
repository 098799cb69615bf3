"""The platform staff set which diplomas an establishment subscribes to: an inline on the console's establishment
page (``/plateforme/``), and a list of every subscription.

Imported by ``ReferentielsConfig.ready``, after the admin's autodiscovery: the establishment's admin registered by
the lower apps is extended (subclassed and registered again) rather than edited, so the tenant core and accounts
know nothing of the référentiels.
"""

from django.contrib import admin

from establishments.models import Establishment

from .establishment_models import Subscription


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 1
    fields = ["diploma", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = "abonnement à un diplôme"
    verbose_name_plural = "abonnements aux diplômes"


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["establishment", "diploma", "created_at"]
    list_filter = ["diploma"]
    search_fields = ["establishment__uai", "establishment__name", "diploma__code"]
    list_select_related = ["establishment", "diploma"]
    raw_id_fields = ["establishment"]


def _extend_establishment_admin(site: admin.AdminSite = admin.site) -> None:
    registered = site._registry.get(Establishment)
    if registered is None or type(registered).__module__ == __name__:
        return
    base = type(registered)

    def get_inlines(self, request, obj):
        # On an existing establishment only: the add form (with its first administrator) stays as it is; the
        # subscriptions are set once the establishment exists.
        inlines = list(super(extended, self).get_inlines(request, obj))
        return [*inlines, SubscriptionInline] if obj is not None else inlines

    extended = type(base.__name__, (base,), {"get_inlines": get_inlines, "__module__": __name__})
    site.unregister(Establishment)
    site.register(Establishment, extended)


_extend_establishment_admin()

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
    if registered is None or SubscriptionInline in registered.inlines:
        return
    base = type(registered)
    extended = type(base.__name__, (base,), {"inlines": [*base.inlines, SubscriptionInline],
                                            "__module__": __name__})
    site.unregister(Establishment)
    site.register(Establishment, extended)


_extend_establishment_admin()

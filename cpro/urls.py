from django.conf import settings
from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.static import serve

from establishments.converters import UAIConverter
from establishments.views import search_view

register_converter(UAIConverter, "uai")

admin.site.site_header = "CPro — console de la plateforme"
admin.site.site_title = "CPro plateforme"
admin.site.index_title = "Service technique"

urlpatterns = [
    path("", search_view, name="home"),
    path("plateforme/", admin.site.urls),
    path("<uai:uai>/", include(("cpro.tenant_urls", "tenant"))),
]

if settings.DEBUG:
    # Only the establishments' images are public; uploaded import files (MEDIA_ROOT/imports/) never are.
    urlpatterns += [
        path("media/establishments/<path:path>", serve,
             {"document_root": settings.MEDIA_ROOT / "establishments"}),
    ]

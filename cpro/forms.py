"""Every form field of the site rendered with the DSFR styles, whichever form it belongs to.

Django renders each widget through the project's form renderer (``FORM_RENDERER``); this renderer gives the
widget its DSFR class (``fr-input``, ``fr-select``, ``fr-upload``) unless the form chose one, so a new form cannot
end up with an unstyled, invisible field (issue 9, item 13).
"""

from django.forms.renderers import DjangoTemplates

NO_CLASS_TYPES = {"checkbox", "radio", "hidden", "submit", "button", "image", "reset"}


def dsfr_class(widget: dict) -> str:
    """The DSFR class of a widget's render context (``{"type": …, "template_name": …}``), or ""."""
    template = widget.get("template_name") or ""
    kind = (widget.get("type") or "").lower()
    if kind in NO_CLASS_TYPES or "checkbox" in template or "radio" in template:
        return ""
    if "select" in template.rsplit("/", 1)[-1]:
        return "fr-select"
    if kind == "file":
        return "fr-upload"
    return "fr-input"


def add_dsfr_class(widget: dict) -> None:
    attrs = widget.setdefault("attrs", {})
    if not attrs.get("class"):
        css = dsfr_class(widget)
        if css:
            attrs["class"] = css
    for sub in widget.get("subwidgets") or ():
        add_dsfr_class(sub)


class DsfrFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if isinstance(widget, dict):
            add_dsfr_class(widget)
        return super().render(template_name, context, request)

"""``{% load scenario_resources %}{% resource_max_size %}``: the size cap of a scenario's files, as people read it."""

from django import template

from pedagogy import resources

register = template.Library()


@register.simple_tag
def resource_max_size() -> str:
    """« 10 Mo » (``SCENARIO_RESOURCE_MAX_BYTES``)."""
    return resources.size_text(resources.max_bytes())

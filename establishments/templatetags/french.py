from django import template

from establishments.french import preceded_by_a as _preceded_by_a

register = template.Library()


@register.filter
def preceded_by_a(name):
    """``{{ establishment.display_name|preceded_by_a }}`` → « au lycée Jean Jaurès », « à l'école … »."""
    return _preceded_by_a(str(name))

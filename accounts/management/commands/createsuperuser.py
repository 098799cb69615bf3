"""Django's createsuperuser for platform staff: accounts outside any establishment."""

from django.contrib.auth.management.commands import createsuperuser

from establishments.scoping import scopes_disabled


class Command(createsuperuser.Command):
    def execute(self, *args, **options):
        with scopes_disabled():
            return super().execute(*args, **options)

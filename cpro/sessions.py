"""Database sessions that are not rewritten on every request.

``SESSION_SAVE_EVERY_REQUEST`` keeps the idle timeout sliding (a session ends ``SESSION_COOKIE_AGE`` seconds after
the last page, SPEC: shared school computers). Django's database store then writes the session row on every page
of every user: an ``UPDATE`` of ``django_session`` (and its WAL) per request, the busiest table of the site under
load. This store writes it only when its data changed or when the stored expiry is more than
``SESSION_REFRESH_SECONDS`` (default 60) older than the one this request would give: the idle timeout then ends
between ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and ``SESSION_COOKIE_AGE`` seconds after the last page.

Enabled by ``SESSION_ENGINE = "cpro.sessions"``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends import db


def refresh_interval() -> timedelta:
    return timedelta(seconds=getattr(settings, "SESSION_REFRESH_SECONDS", 60))


class SessionStore(db.SessionStore):
    # The expiry stored in the database row this store loaded (None: not loaded, or no row).
    _stored_expiry = None

    def load(self):
        row = self._get_session_from_db()
        if row is None:
            self._stored_expiry = None
            return {}
        self._stored_expiry = row.expire_date
        return self.decode(row.session_data)

    def save(self, must_create=False):
        if not must_create and self.session_key is not None:
            self._get_session()  # loads the row once (and its stored expiry) if nothing has yet
            if (not self.modified and self._stored_expiry is not None
                    and self.get_expiry_date() - self._stored_expiry < refresh_interval()):
                return  # same data, expiry moved by less than the interval: nothing worth a write
        super().save(must_create=must_create)
        self._stored_expiry = self.get_expiry_date()

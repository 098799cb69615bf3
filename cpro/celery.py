"""Celery application and the beat schedule of the daily jobs (Europe/Paris, outside the DST gap).

Run exactly one beat process (``celery -A cpro beat``): two schedulers would send every job twice (the jobs
would still run once per day, thanks to their run record, but the point is not to rely on it).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpro.settings")

app = Celery("cpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Daily jobs at 04:30 and 04:45 Paris time (CELERY_TIMEZONE): after the evening imports, and outside the
# 02:00–03:00 hour that the DST changes skip or repeat.
app.conf.beat_schedule = {
    "transferts-quotidiens": {"task": "transfers.run_daily_transfers", "schedule": crontab(hour=4, minute=30)},
    "purge-rgpd-quotidienne": {"task": "transfers.run_daily_purge", "schedule": crontab(hour=4, minute=45)},
    # Generated documents (documents/) past their expiry: file and record removed.
    "documents-expires": {"task": "documents.remove_expired_documents", "schedule": crontab(hour=5, minute=0)},
}

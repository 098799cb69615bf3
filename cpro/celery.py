"""Celery application and the beat schedule of the daily jobs (Europe/Paris, outside the DST gap)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpro.settings")

app = Celery("cpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Daily jobs run at 04:30 Paris time: after midnight imports, outside the 02:00–03:00 DST gap.
app.conf.beat_schedule = {}

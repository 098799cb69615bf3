"""gunicorn's settings for CPro (``gunicorn cpro.wsgi -c cpro/gunicorn.conf.py``), chosen from the load benchmark.

``manage.py bench_load`` (README « Banc de charge ») measured a school's busiest hour on 2 cores. Pages are short
(a few ms of Python each) and a login costs one core for its argon2id hash (``ARGON2_PARALLELISM=1``): sync
workers, about two per core, keep every page beside a login burst. Threads did not help (the GIL; measured worse).
Each setting can be changed by the environment without editing this file.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
# A request that takes this long is a defect (imports and large documents run in Celery): the worker is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 20
keepalive = 5
# Recycle a worker now and then (memory of a long-running process), not all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None

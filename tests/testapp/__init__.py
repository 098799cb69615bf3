"""A test-only app owning learner data, to prove the transfer and the purge on real tables.

Installed when ``CPRO_TEST_APPS`` is on (by default under pytest, see cpro/settings.py); the Celery worker the
tests start gets ``CPRO_TEST_APPS=1`` in its environment.
"""

"""One measured import, run in a fresh interpreter by ``manage.py bench_import`` (imports Django lazily)."""

from __future__ import annotations

import gc
import json
import threading
import time
from contextlib import contextmanager
from pathlib import Path


class PeakRss:
    """Samples the process's resident memory every few milliseconds (Linux /proc)."""

    def __init__(self) -> None:
        self.start = self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * 4096

    def __enter__(self) -> PeakRss:
        self.start = self.peak = self.rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.rss())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


@contextmanager
def count_queries(counter: list[int]):
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def measure_pass(establishment_id: int, files: list[Path]) -> dict:
    """One import in this process: wall time, peak RSS of the process, queries (through Django's cursor)."""
    import django

    django.setup()
    from establishments.models import Establishment
    from establishments.scoping import scope
    from imports.services import import_files

    establishment = Establishment.objects.get(pk=establishment_id)
    gc.collect()
    queries = [0]
    with scope(establishment=establishment), PeakRss() as memory, count_queries(queries):
        started = time.perf_counter()
        outcome = import_files(establishment, files)
        seconds = time.perf_counter() - started
    if not outcome.ok:
        raise RuntimeError(json.dumps(outcome.as_json(), ensure_ascii=False)[:2000])
    # "created/kept/deactivated/reactivated" per kind, one line each in the JSON.
    counts = {kind: "/".join(str(n) for n in figures.values())
              for kind, figures in outcome.plan.counts.items() if any(figures.values())}
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(memory.peak / 2**20, 1),
        "rss_before_mb": round(memory.start / 2**20, 1),
        "queries": queries[0],
        "counts": counts,
    }

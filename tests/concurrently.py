"""Calls released together in threads, for the tests of many hands at once (GeoPackage and PostGIS)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def at_once(calls: list[Callable[[], object]], workers: int | None = None) -> list:
    """Run ``calls`` in threads released together; their results, or the exceptions they raised."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        try:
            return call()
        except Exception as error:  # noqa: BLE001 - returned for the test to look at
            return error

    with ThreadPoolExecutor(workers or len(calls)) as pool:
        return list(pool.map(run, calls))

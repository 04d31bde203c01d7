"""Concurrency in tests: calls released at one moment from threads with their own connections."""

import threading
from collections.abc import Callable

from django.db import connection


def together(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads (each its own database connection), released at one moment;
    each result is what the call returned or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=20)
            results[i] = call()
        except Exception as error:  # the test inspects what each thread got
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results

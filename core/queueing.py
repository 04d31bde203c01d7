"""Background work for a row, queued once the row is committed. If the broker refuses the task,
the row says so (its status and reason, from ``failed``) and the request that asked for the work
still succeeds: one mechanism for every kind of background build and import."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import models, transaction

logger = logging.getLogger(__name__)


def queue_after_commit(
    task: Any,
    pk: int,
    *,
    waiting: models.QuerySet,
    failed: Callable[[str], dict[str, Any]],
    what: str,
) -> None:
    """On commit, ``task.delay(pk)``. Should the broker be down, log it and update ``waiting``
    (the row, filtered to the status it was queued with, so a task that did start is never
    overwritten) with ``failed(error class name)``."""

    def send() -> None:
        try:
            task.delay(pk)
        except Exception as error:  # the broker is down: the row says so, never a 500
            logger.warning("Could not queue %s %s (%s).", what, pk, error)
            waiting.update(**failed(type(error).__name__))

    transaction.on_commit(send)

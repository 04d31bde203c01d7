"""/healthz: the state of the database, the cache and the Celery broker, as JSON.

200 when all three are up, 503 naming the failing part otherwise. It never raises.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.policies import public

logger = logging.getLogger(__name__)


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return f"up ({connection.vendor})"


def check_cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=5)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)
    return "up"


def check_broker() -> str:
    from config.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "up (tasks run eagerly, no broker)"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "up"


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker}


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    parts: dict[str, str] = {}
    failing: list[str] = []
    for name, check in CHECKS.items():
        try:
            parts[name] = check()
        except Exception as error:
            logger.warning("healthz: %s is down: %s", name, error)
            parts[name] = f"down: {type(error).__name__}: {error}"[:300]
            failing.append(name)
    status = "ok" if not failing else "down: " + ", ".join(failing)
    return JsonResponse({"status": status, **parts}, status=503 if failing else 200)

"""A test-only URLconf for tests/security/test_faults.py: a view that loses its database
connection between two writes in one transaction."""

from collections.abc import Callable

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import FailedSignIn
from accounts.policies import policy

# Set by the test: called with this request's backend pid; it must terminate that backend.
terminate_backend: Callable[[int], None] = lambda pid: None  # noqa: E731

MARKER = "fault-first-write"


@require_POST
@policy("dashboard.view_home")
def write_lose_connection_write(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        FailedSignIn.objects.create(username=MARKER, attempted_at=timezone.now())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        terminate_backend(pid)
        FailedSignIn.objects.create(username="fault-second-write", attempted_at=timezone.now())
    return HttpResponse("both writes saved")


urlpatterns = [path("fault/write/", write_lose_connection_write, name="fault_write")]

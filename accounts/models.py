from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class User(AbstractUser):
    """A member of council staff (or of the scrutiny committee) who signs in to Delivery Hub."""

    job_title = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> list[str]:
        """The labels of this user's roles, in the order of DESIGN.md section 4."""
        groups = {group.name for group in self.groups.all()}
        return [role.label for role in Role if role.group_name in groups]


class FailedSignIn(models.Model):
    """One failed sign-in: the username typed (lower-cased) and the address it came from.

    Kept in the database, not the cache, so throttling still works when Redis is down. Rows older
    than the throttle window are purged by accounts.services.sign_in_failure_record.
    """

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    attempted_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-attempted_at"]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip_address} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class SignInThrottle(models.Model):
    """One row per username (``user:<name>``) and per address (``ip:<address>``) that has tried
    to sign in. An attempt locks its rows (``select_for_update``) while it checks the throttle
    and records itself, so concurrent attempts are counted one after another, never all at once.
    """

    key = models.CharField(max_length=200, unique=True)
    last_attempt_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key

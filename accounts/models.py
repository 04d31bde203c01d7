from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Coalesce, Concat, NullIf
from simple_history.models import HistoricalRecords

from .roles import Role

# What str.strip() strips: Python's whitespace (up to U+3000, the last of it)
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


class Stripped(models.Func):
    """``str.strip()`` in SQL: Python's whitespace taken off both ends of a text."""

    arity = 1
    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        trim = "trim" if connection.vendor == "sqlite" else "btrim"
        return f"{trim}({sql}, %s)", [*params, WHITESPACE]


class User(AbstractUser):
    """A member of council staff (or of the scrutiny committee) who signs in to Delivery Hub.

    Someone who signs in with single sign-on is matched by ``oidc_subject`` (the identity
    provider's stable id for them), never by name or email. Every change to a person, their
    roles (groups) included, is kept in ``history`` with who made it and when; the password and
    the last sign-in time are left out of it.
    """

    job_title = models.CharField(max_length=150, blank=True)
    oidc_subject = models.CharField(
        "single sign-on subject",
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text="The identity provider's stable id for this person (set at first sign-in).",
    )

    # The name ``str(user)`` gives (full name, else username), kept by the database as the
    # names change, so that a download of 80,000 risks reads each owner's name as it is
    # instead of making it again on every row (bench/results.md, the tenth round).
    display_name = models.GeneratedField(
        expression=Coalesce(
            NullIf(
                Stripped(Concat("first_name", models.Value(" "), "last_name")), models.Value("")
            ),
            "username",
            output_field=models.TextField(),
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    history = HistoricalRecords(
        m2m_fields=["groups"], excluded_fields=["password", "last_login", "display_name"]
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> list[str]:
        """The labels of this user's roles, in the order of DESIGN.md section 4.

        Where a permission check has read the names already (django-rules' ``is_group_member``
        keeps them on the user as ``_group_names_cache``, as the page header's navigation does),
        they are used, not read again; otherwise they are read now (a list of people prefetches
        the groups)."""
        names = getattr(self, "_group_names_cache", None)
        if names is None:
            names = {group.name for group in self.groups.all()}
        return [role.label for role in Role if role.group_name in names]

    @property
    def signs_in_with_sso(self) -> bool:
        return bool(self.oidc_subject)


class RoleMapping(models.Model):
    """One value of the identity provider's groups (or roles) claim that gives a role.

    At every single sign-on the person's roles become exactly those their claim values map to:
    someone removed from a group loses its role at their next sign-in.
    """

    claim_value = models.CharField(
        max_length=255,
        help_text="The value in the groups claim: an Entra ID group object id, or an app role.",
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    description = models.CharField(
        max_length=200, blank=True, help_text="What this group is, for the PMO's reference."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "claim_value"]
        constraints = [
            models.UniqueConstraint(fields=["claim_value", "role"], name="unique_role_mapping")
        ]

    def __str__(self) -> str:
        return f"{self.claim_value} → {Role(self.role).label}"


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

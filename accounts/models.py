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

"""The six roles of DESIGN.md section 4. Each role is a Django group named by its label."""

from django.db import models


class Role(models.TextChoices):
    PMO = "pmo", "PMO"
    PROGRAMME_MANAGER = "programme_manager", "Programme manager"
    SRO = "sro", "SRO"
    BOARD_MEMBER = "board_member", "Board member"
    SCRUTINY_MEMBER = "scrutiny_member", "Scrutiny member"
    VIEWER = "viewer", "Viewer"

    @property
    def group_name(self) -> str:
        return self.label

"""How long free text may be. A 1 MB risk cause once made the quarterly report 491 pages long and
took 102 s to build; every text that feeds a report or a page is capped here.

``limited_text`` is a TextField whose ``max_length`` the model form enforces and shows (the GOV.UK
form renderer adds "You can enter up to N characters"), and whose validator ``full_clean`` in the
services enforces for every other caller.
"""

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models

# A risk's cause, event or effect, a log entry's description, a benefit's description, a
# decision, the reasons for one: a few paragraphs.
SHORT_TEXT = 4_000
# A quarterly report's narrative, a highlight report's sections: a page or two.
LONG_TEXT = 20_000


def limited_text(*args: Any, limit: int = SHORT_TEXT, **kwargs: Any) -> models.TextField:
    return models.TextField(
        *args, max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs
    )

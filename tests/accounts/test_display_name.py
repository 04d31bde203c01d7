"""``User.display_name``: the database keeps the name ``str(user)`` gives (full name, else
username), on PostgreSQL and SQLite alike, as the names change; the logs' downloads and pages
read it instead of making it again on every row."""

import pytest
from django.http import QueryDict

from accounts.models import User
from core import exports
from governance import queries
from governance.logs import LOGS
from tests.accounts.factories import UserFactory

NAMES = [
    ("Priya", "Morgan"),
    ("Robin", ""),
    ("", "Khan"),
    ("", ""),
    ("  spaced  ", "  out  "),
    ("\u3000ideographic", "space\u3000"),  # U+3000: the last of Python's whitespace
    ("\x85next line", "\u2028line separator"),
    ("\x1cfile separator", "no-break\xa0"),
    (" ", "\t"),
    ("=1+2", "@SUM(A1)"),
    ("£1,000 × 3", "é 😀"),
    ("two\nlines", "tab\tinside"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "last"), NAMES)
def test_display_name_is_what_str_gives(first, last):
    user = UserFactory(
        username=f"person-{len(first)}-{len(last)}", first_name=first, last_name=last
    )
    assert User.objects.values_list("display_name", flat=True).get(pk=user.pk) == str(user)


@pytest.mark.django_db
def test_display_name_follows_a_change_of_name():
    user = UserFactory(username="leaver", first_name="Dana", last_name="Khan")
    user.first_name, user.last_name = "", ""
    user.save()
    assert User.objects.get(pk=user.pk).display_name == "leaver"
    User.objects.filter(pk=user.pk).update(first_name="Dana", last_name="Khan-Brooks")
    assert User.objects.get(pk=user.pk).display_name == "Dana Khan-Brooks"


@pytest.mark.django_db
def test_a_risks_owner_in_the_download_is_the_owners_display_name(demo):
    """The owner column reads the kept name: a person without a last name, and one whose name
    starts as a formula does (guarded in the download)."""
    owners = list(User.objects.filter(owned_risks__isnull=False).distinct()[:2])
    owners[0].first_name, owners[0].last_name = "Robin", ""
    owners[1].first_name, owners[1].last_name = "=cmd", "Reid"
    for owner in owners:
        owner.save()
    csv = b"".join(
        c if isinstance(c, bytes) else c.encode()
        for c in exports.csv_chunks(queries.log_table(LOGS["risks"], None, QueryDict()))
    ).decode()
    assert ",Robin," in csv
    assert ",'=cmd Reid," in csv

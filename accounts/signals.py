"""The one signal accounts listens to: a sign-in's time, recorded without writing history."""

from typing import Any

from django.utils import timezone


def last_login_record(sender: Any, user: Any, **kwargs: Any) -> None:
    now = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=now)
    user.last_login = now

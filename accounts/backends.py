"""Sign-in with a username and password (``LOCAL_SIGN_IN``), as Django's ``ModelBackend``, but a
session's person is read with their roles in one query (``accounts.queries.signed_in_user``):
every signed-in request asks its permission checks of roles already read, one query fewer than
Django's (medians of 200 alternated requests on a generated portfolio of 50 programmes: the
dashboard 15.37 ms before, 14.83 ms after; one programme's RAID download 9.86 ms, 9.38 ms;
bench/experiments/session_roles.py).

Sessions signed in before this backend named Django's ``ModelBackend``, no longer listed: their
people sign in again once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .queries import signed_in_user


class LocalSignInBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

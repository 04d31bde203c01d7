from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Django records each sign-in's time with user.save(), which would write a row of the
        # person's history (and a copy of their roles) at every sign-in. The time is recorded
        # with an UPDATE instead, so the history holds only real changes to a person.
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        from . import signals

        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(signals.last_login_record, dispatch_uid="update_last_login")

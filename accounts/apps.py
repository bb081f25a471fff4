from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import dashboard  # noqa: F401 - registers dashboard sections
        from accounts.sessions import mark_session_start

        user_logged_in.connect(mark_session_start, dispatch_uid="accounts.session_started")

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and organisations"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which Django loads only
        # after every app's config (the app registry is not ready when apps.py is imported).
        from django.contrib.auth.signals import user_logged_in

        from accounts import dashboard, navigation  # noqa: F401 - they register on import
        from accounts.sessions import mark_session_start

        user_logged_in.connect(mark_session_start, dispatch_uid="accounts.session_started")

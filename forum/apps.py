from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Forums and meetings"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which Django loads only
        # after every app's config (the app registry is not ready when apps.py is imported).
        from forum import dashboard, navigation, personal_data, reminders  # noqa: F401 - they register on import

        dashboard.register_partner_sections()

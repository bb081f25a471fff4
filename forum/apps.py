from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Forums and meetings"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which Django loads only
        # after every app's config (the app registry is not ready when apps.py is imported).
        from core import calendar, public_home
        from forum import dashboard, navigation, personal_data, reminders  # noqa: F401 - they register on import
        from forum.feeds import personal_meeting_events
        from forum.public_home import published_notes_section

        dashboard.register_partner_sections()
        calendar.register(personal_meeting_events)
        public_home.register(published_notes_section, order=30)

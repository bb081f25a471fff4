from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Forums and meetings"

    def ready(self) -> None:
        # Imported here: the registries' modules import models, which need the app registry ready.
        from core import calendar, public_home
        from forum import dashboard  # registers the staff home page sections on import
        from forum.feeds import personal_meeting_events
        from forum.public_home import published_notes_section

        dashboard.register_partner_sections()
        calendar.register(personal_meeting_events)
        public_home.register(published_notes_section, order=30)

from django.apps import AppConfig


class InvolvementConfig(AppConfig):
    name = "involvement"
    verbose_name = "Involvement activities"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which Django loads only
        # after every app's config (the app registry is not ready when apps.py is imported).
        from core import calendar
        from involvement import navigation, personal_data, reminders, sections  # noqa: F401 - they register on import
        from involvement.calendar import personal_activity_events

        sections.register_partner_sections()
        calendar.register(personal_activity_events)

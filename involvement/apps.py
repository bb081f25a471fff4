from django.apps import AppConfig


class InvolvementConfig(AppConfig):
    name = "involvement"
    verbose_name = "Involvement activities"

    def ready(self) -> None:
        # Imported here: the registries' modules import models, which need the app registry ready.
        from core import calendar
        from involvement import sections
        from involvement.calendar import personal_activity_events

        sections.register_partner_sections()
        calendar.register(personal_activity_events)

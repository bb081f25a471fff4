from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Opportunities to take part"

    def ready(self) -> None:
        # Registers the reminder sweep (core.reminders.base.sweep) and the home page sections.
        from opportunities import dashboard, reminders  # noqa: F401

        dashboard.register_sections()

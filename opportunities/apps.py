from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"
    verbose_name = "Opportunities to take part"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which Django loads only
        # after every app's config (the app registry is not ready when apps.py is imported).
        from core import public_home
        from opportunities import dashboard, navigation, reminders  # noqa: F401 - they register on import
        from opportunities.public import open_public_opportunities
        from opportunities.selectors import public_opportunity
        from partners import joining

        dashboard.register_sections()
        public_home.register(open_public_opportunities, order=20)
        joining.register_opportunity_lookup(public_opportunity)

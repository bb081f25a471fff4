from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Lay partners"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import models, which Django loads only
        # after every app's config (the app registry is not ready when apps.py is imported).
        from core import public_home
        from partners import dashboard, navigation, people  # noqa: F401 - they register on import
        from partners.public_home import join_section

        public_home.register(join_section, order=10)

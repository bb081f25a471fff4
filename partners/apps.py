from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Lay partners"

    def ready(self) -> None:
        # Imported here: the registries' modules import models, which need the app registry ready.
        from core import public_home
        from partners import dashboard  # noqa: F401 - registers the home page section
        from partners.public_home import join_section

        public_home.register(join_section, order=10)

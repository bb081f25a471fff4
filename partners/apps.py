from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Lay partners"

    def ready(self) -> None:
        from partners import dashboard  # noqa: F401 - registers the home page section

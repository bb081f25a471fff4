from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports from spreadsheets"

    def ready(self) -> None:
        from imports import dashboard  # noqa: F401 - registers the home page section

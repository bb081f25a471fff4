from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports from spreadsheets"

    def ready(self) -> None:
        # Imported here, not at the top: the module imports models, which Django loads only after
        # every app's config (the app registry is not ready when apps.py is imported).
        from imports import dashboard  # noqa: F401 - it registers on import

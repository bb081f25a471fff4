from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes and strategy priorities"

    def ready(self) -> None:
        # Imported here, not at the top: the module imports models, which Django loads only after
        # every app's config (the app registry is not ready when apps.py is imported).
        from programmes import navigation  # noqa: F401 - registers on import

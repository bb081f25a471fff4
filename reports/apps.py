from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Quarterly reports"

    def ready(self) -> None:
        from reports import dashboard  # noqa: F401

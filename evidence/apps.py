from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Case studies and evidence of change"

    def ready(self) -> None:
        from evidence import sections  # noqa: F401 - registers the staff home page section on import

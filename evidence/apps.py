from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Case studies and evidence of change"

    def ready(self) -> None:
        from evidence import report_counts, sections  # noqa: F401 - register home page sections and report counts

from django.apps import AppConfig


class InvolvementConfig(AppConfig):
    name = "involvement"
    verbose_name = "Involvement activities"

    def ready(self) -> None:
        from involvement import sections

        sections.register_partner_sections()

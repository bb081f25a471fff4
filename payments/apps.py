from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Involvement payments and expenses"

    def ready(self) -> None:
        from payments import dashboard

        dashboard.register_partner_sections()

from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Forums and meetings"

    def ready(self) -> None:
        from forum import dashboard  # registers the staff home page sections on import

        dashboard.register_partner_sections()

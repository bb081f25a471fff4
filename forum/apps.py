from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = "Forums and meetings"

    def ready(self) -> None:
        from forum import dashboard  # noqa: F401 - registers dashboard sections

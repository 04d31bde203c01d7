from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "benefits"

    def ready(self) -> None:
        from core.caching import connect

        connect()  # the realisation totals are cached until anything is saved

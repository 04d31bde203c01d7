from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Data out: OData feed, calendar feeds and access tokens"

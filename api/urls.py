"""The data-out URLs: /odata/, /calendar/, /account/tokens/, /data/ and the CSVW metadata that
sits beside every CSV download (``….csv-metadata.json``; included before the apps' own patterns,
whose ``export.<fmt>`` would otherwise take it)."""

from django.urls import path

from . import views
from .odata import views as odata

app_name = "api"

P = "programmes/<slug:slug>/"
LOG_EXPORTS = [  # (the log's export prefix, the log)
    (f"{P}raid/risks/", "risks"),
    (f"{P}raid/assumptions/", "assumptions"),
    (f"{P}raid/issues/", "issues"),
    (f"{P}raid/dependencies/", "dependencies"),
    (f"{P}actions/", "actions"),
    (f"{P}decisions/", "decisions"),
    (f"{P}change-requests/", "change-requests"),
]

urlpatterns = [
    path("odata/", odata.service_document, name="odata_service"),
    path("odata/$metadata", odata.metadata, name="odata_metadata"),
    path("odata/<str:name>/$count", odata.entity_set_count, name="odata_count"),
    path("odata/<str:name>", odata.entity_set, name="odata_entity_set"),
    path("calendar/mine.ics", views.calendar_mine, name="calendar_mine"),
    path("calendar/programmes/<slug:slug>.ics", views.calendar_programme,
         name="calendar_programme"),
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/tokens/all/", views.token_admin, name="token_admin"),
    path("data/", views.data_help, name="data_help"),
    path("dashboard/export/<slug:table>.csv-metadata.json", views.csvw_dashboard,
         name="csvw_dashboard"),
    path("dashboard/savings/<int:year>.csv-metadata.json", views.csvw_savings_year,
         name="csvw_savings_year"),
    *[
        path(f"{prefix}export.csv-metadata.json", views.csvw_log, {"kind": kind},
             name=f"csvw_{kind.replace('-', '_')}")
        for prefix, kind in LOG_EXPORTS
    ],
    path("portfolios/<slug:portfolio>/raid/export.csv-metadata.json", views.csvw_log,
         {"kind": "risks"}, name="csvw_portfolio_raid"),
    path("raid/export.csv-metadata.json", views.csvw_log, {"kind": "risks"}, name="csvw_raid"),
]  # fmt: skip

from django.contrib import admin
from django.urls import include, path

from core.views import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    path("partners/", include("partners.urls")),
    path("programmes/", include("programmes.urls")),
    path("involvement/", include("involvement.urls")),
    path("forums/", include("forum.urls")),
    path("payments/", include("payments.urls")),
    path("reports/", include("reports.urls")),
    path("imports/", include("imports.urls")),
    path("evidence/", include("evidence.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("", include("accounts.urls")),
    path("", include("core.urls")),
]

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("compile/", views.report_compile, name="report_compile"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/progress/", views.report_progress, name="report_progress"),
    path("<int:pk>/compile-again/", views.report_recompile, name="report_recompile"),
    path("<int:pk>/narrative/", views.report_narrative, name="report_narrative"),
    path("<int:pk>/publish/", views.report_publish, name="report_publish"),
    path("<int:pk>/download/<str:fmt>/", views.report_download, name="report_download"),
]

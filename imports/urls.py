from django.urls import path

from imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("new/", views.import_new, name="import_new"),
    path("templates/<slug:kind>.<str:fmt>", views.template_download, name="template_download"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/columns/", views.import_columns, name="import_columns"),
    path("<int:pk>/choices/", views.import_decide, name="import_decide"),
    path("<int:pk>/rows-to-fix.csv", views.import_problems, name="import_problems"),
    path("<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("<int:pk>/undo/", views.import_undo, name="import_undo"),
    path("<int:pk>/invite/", views.import_invite, name="import_invite"),
]

from django.urls import path

from opportunities import views

app_name = "opportunities"

urlpatterns = [
    # Lay partners
    path("", views.partner_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/interested/", views.express, name="express"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/easy-read.pdf", views.easy_read, name="easy_read"),
    path("<int:pk>/image", views.image, name="image"),
    # Anyone
    path("open-to-everyone/", views.public_list, name="public_list"),
    path("open-to-everyone/<int:pk>/", views.public_detail, name="public_detail"),
    # Staff
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/new/", views.manage_create, name="manage_create"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/preview/", views.manage_preview, name="manage_preview"),
    path("manage/<int:pk>/filled/", views.manage_filled, name="manage_filled"),
    path("manage/<int:pk>/cancel/", views.manage_cancel, name="manage_cancel"),
    path("manage/<int:pk>/people/", views.interested, name="interested"),
    path("manage/<int:pk>/people/add/", views.on_behalf, name="on_behalf"),
    path("manage/<int:pk>/<slug:move>/", views.manage_move, name="manage_move"),
]

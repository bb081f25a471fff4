from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    # Staff
    path("", views.directory, name="directory"),
    path("export.csv", views.directory_export, name="directory_export"),
    path("invite/", views.partner_invite, name="invite"),
    path("register/", views.partner_register, name="register"),
    path("equality/", views.equality_summary, name="equality_summary"),
    path("applications/", views.application_list, name="application_list"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/accept/", views.application_accept, name="application_accept"),
    path("applications/<int:pk>/decline/", views.application_decline, name="application_decline"),
    path("links/<int:pk>/", views.link_edit, name="link_edit"),
    path("<int:pk>/", views.partner_detail, name="partner_detail"),
    path("<int:pk>/edit/<slug:section>/", views.partner_edit, name="partner_edit"),
    path("<int:pk>/consent/", views.partner_consent, name="partner_consent"),
    path("<int:pk>/give-login/", views.partner_give_login, name="partner_give_login"),
    path("<int:pk>/leave/", views.partner_record_leaving, name="partner_record_leaving"),
    path("<int:pk>/their-information/", views.partner_data, name="partner_data"),
    # The lay partner's own area
    path("me/", views.home, name="home"),
    path("me/details/", views.my_profile, name="my_profile"),
    path("me/details/<slug:section>/", views.my_profile_edit, name="my_profile_edit"),
    path("me/consent/", views.my_consent, name="my_consent"),
    path("me/equality/", views.my_equality, name="my_equality"),
    path("me/my-information/", views.my_data, name="my_data"),
    path("me/leave/", views.my_leave, name="my_leave"),
    path("left/", views.left, name="left"),
    # Joining (no sign-in needed)
    path("join/", views.join, name="join"),
    path("join/thank-you/", views.join_done, name="join_done"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

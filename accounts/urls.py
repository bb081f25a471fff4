from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.my_account, name="my_account"),
    path("team/", views.membership_list, name="membership_list"),
    path("team/invite/", views.membership_invite, name="membership_invite"),
    path("team/<int:pk>/role/", views.membership_change_role, name="membership_change_role"),
    path("team/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]

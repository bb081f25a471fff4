from django.urls import path

from programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("<int:pk>/", views.programme_detail, name="programme_detail"),
    path("<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("<int:pk>/plan/", views.programme_plan, name="programme_plan"),
    path("<int:pk>/plan/new/", views.plan_item_create, name="plan_item_create"),
    path("<int:pk>/plan/<int:item_pk>/edit/", views.plan_item_edit, name="plan_item_edit"),
    path("<int:pk>/plan/<int:item_pk>/remove/", views.plan_item_remove, name="plan_item_remove"),
    path("<int:pk>/outcomes/new/", views.programme_outcome_create, name="programme_outcome_create"),
    path("priorities/", views.priority_list, name="priority_list"),
    path("priorities/new/", views.priority_create, name="priority_create"),
    path("priorities/<int:pk>/edit/", views.priority_edit, name="priority_edit"),
]

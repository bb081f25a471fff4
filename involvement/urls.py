from django.urls import path

from involvement import views

app_name = "involvement"

urlpatterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/export.csv", views.activity_export, name="activity_export"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/duplicate/", views.activity_duplicate, name="activity_duplicate"),
    path("activities/<int:pk>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/complete/", views.activity_complete, name="activity_complete"),
    path("activities/<int:pk>/participants/add/", views.participants_add, name="participants_add"),
    path("activities/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("activities/<int:pk>/outcomes/new/", views.outcome_create, name="outcome_create"),
    path("participations/<int:pk>/remove/", views.participation_remove, name="participation_remove"),
    path("outcomes/<int:pk>/", views.outcome_detail, name="outcome_detail"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path("outcomes/<int:pk>/progress/", views.outcome_progress, name="outcome_progress"),
    path("outcome-steps/<int:pk>/evidence/", views.outcome_evidence, name="outcome_evidence"),
    path("mine/", views.my_involvement, name="my_involvement"),
    path("mine/<int:pk>/", views.my_activity, name="my_activity"),
    path("mine/<int:pk>/answer/", views.my_activity_answer, name="my_activity_answer"),
    path("mine/outcomes/", views.my_outcomes, name="my_outcomes"),
    path("mine/outcomes/<int:pk>/", views.my_outcome_detail, name="my_outcome_detail"),
    path("mine/<int:pk>/feedback/", views.feedback, name="feedback"),
]

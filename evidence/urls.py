from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("case-studies/", views.case_study_list, name="case_study_list"),
    path("case-studies/new/from-outcome/<int:pk>/", views.case_study_from_outcome, name="case_study_from_outcome"),
    path(
        "case-studies/new/from-programme/<int:pk>/", views.case_study_from_programme, name="case_study_from_programme"
    ),
    path("case-studies/<int:pk>/", views.case_study_detail, name="case_study_detail"),
    path("case-studies/<int:pk>/edit/", views.case_study_edit, name="case_study_edit"),
    path("case-studies/<int:pk>/quotes/new/", views.quote_add, name="quote_add"),
    path("case-studies/<int:pk>/share/", views.case_study_share, name="case_study_share"),
    path("case-studies/<int:pk>/publish/", views.case_study_publish, name="case_study_publish"),
    path("quotes/<int:pk>/remove/", views.quote_remove, name="quote_remove"),
    path("library/", views.library, name="library"),
    path("mine/quotes/<int:pk>/", views.quote_answer, name="quote_answer"),
    path("mine/record.pdf", views.my_record, name="my_record"),
    path("learning/", views.session_list, name="session_list"),
    path("learning/new/", views.session_new, name="session_new"),
    path("learning/<int:pk>/", views.session_detail, name="session_detail"),
    path("learning/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("learning/<int:pk>/took-part/", views.attendance_add, name="attendance_add"),
    path("learning/took-part/<int:pk>/remove/", views.attendance_remove, name="attendance_remove"),
    path("learning/requests/<int:pk>/", views.session_request_decide, name="session_request_decide"),
    path("mine/learning/", views.my_learning, name="my_learning"),
    path("mine/learning/<int:pk>/ask/", views.session_ask, name="session_ask"),
    path("public/<slug:slug>/", views.public_page, name="public_page"),
    path("public/<slug:slug>/case-studies/<int:pk>/", views.public_case_study, name="public_case_study"),
    path("public/<slug:slug>/case-studies.atom", views.public_case_studies_feed, name="public_case_studies_feed"),
    path("public/<slug:slug>/you-said-we-did.atom", views.public_outcomes_feed, name="public_outcomes_feed"),
]

from django.urls import path

from forum import views

app_name = "forum"

urlpatterns = [
    path("", views.forum_list, name="forum_list"),
    path("mine/", views.my_forums, name="my_forums"),
    path("new/", views.forum_create, name="forum_create"),
    path("<int:pk>/", views.forum_detail, name="forum_detail"),
    path("<int:pk>/edit/", views.forum_edit, name="forum_edit"),
    path("<int:pk>/members/add/", views.member_add, name="member_add"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<int:pk>/actions/", views.action_log, name="action_log"),
    path("<int:pk>/calendar/", views.calendar_link, name="calendar_link"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/agenda/add/", views.agenda_item_add, name="agenda_item_add"),
    path("meetings/<int:pk>/apologies/", views.apology_send, name="apology_send"),
    path("meetings/<int:pk>/apologies/record/", views.apology_record, name="apology_record"),
    path("meetings/<int:pk>/attendance/", views.attendance_record, name="attendance_record"),
    path("meetings/<int:pk>/notes/", views.notes_edit, name="notes_edit"),
    path("meetings/<int:pk>/notes/draft/", views.notes_draft, name="notes_draft"),
    path("meetings/<int:pk>/notes/draft/discard/", views.notes_draft_discard, name="notes_draft_discard"),
    path("meetings/<int:pk>/notes/submit/", views.notes_submit, name="notes_submit"),
    path("meetings/<int:pk>/notes/approve/", views.notes_approve, name="notes_approve"),
    path("meetings/<int:pk>/notes/publish/", views.notes_publish, name="notes_publish"),
    path("meetings/<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("meetings/<int:pk>/decisions/add/", views.decision_add, name="decision_add"),
    path("agenda/<int:pk>/move/", views.agenda_item_move, name="agenda_item_move"),
    path("agenda/<int:pk>/papers/add/", views.paper_upload, name="paper_upload"),
    path("papers/<int:pk>/", views.paper_download, name="paper_download"),
    path("actions/<int:pk>/", views.action_edit, name="action_edit"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("public/<slug:slug>/", views.public_forum, name="public_forum"),
    path("public/<slug:slug>/feed.atom", views.public_feed, name="public_feed"),
    path("public/<slug:slug>/meetings/<int:pk>/", views.public_meeting, name="public_meeting"),
]

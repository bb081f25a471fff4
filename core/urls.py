from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("audit/", views.audit_log, name="audit_log"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_detail, name="notification_detail"),
    path("notifications/read-all/", views.notification_mark_all_read, name="notification_mark_all_read"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
    path("notifications/to-send/", views.messages_to_send, name="messages_to_send"),
    path("notifications/to-send/<int:pk>/sent/", views.message_mark_sent, name="message_mark_sent"),
    path("notifications/failed/", views.failed_messages, name="failed_messages"),
    path("notifications/failed/<int:pk>/retry/", views.failed_message_retry, name="failed_message_retry"),
    path("calendar/", views.my_calendar, name="my_calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("service-status/", views.service_status, name="service_status"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_notice, name="privacy"),
]

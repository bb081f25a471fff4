from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("my/", views.my_money, name="my_money"),
    path("claims/", views.claim_queue, name="claim_queue"),
    path("claims/start/", views.claim_start, name="claim_start"),
    path("claims/prepare/", views.claim_prepare, name="claim_prepare"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/payments/new/", views.line_fee_add, name="line_fee_add"),
    path("claims/<int:pk>/expenses/new/", views.expense_choose, name="expense_choose"),
    path("claims/<int:pk>/expenses/new/<str:category>/", views.expense_add, name="expense_add"),
    path("claims/<int:pk>/check/", views.claim_check, name="claim_check"),
    path("claims/<int:pk>/sent/", views.claim_sent, name="claim_sent"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="claim_approve"),
    path("claims/<int:pk>/return/", views.claim_return, name="claim_return"),
    path("claims/<int:pk>/reject/", views.claim_reject, name="claim_reject"),
    path("lines/<int:pk>/receipts/new/", views.receipt_upload, name="receipt_upload"),
    path("lines/<int:pk>/change/", views.line_change, name="line_change"),
    path("lines/<int:pk>/remove/", views.line_remove, name="line_remove"),
    path("lines/<int:pk>/query/", views.line_query, name="line_query"),
    path("receipts/<int:pk>/", views.receipt_download, name="receipt_download"),
    path("rates/", views.rate_card_list, name="rate_card_list"),
    path("rates/<int:organisation_id>/new/", views.rate_card_create, name="rate_card_create"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/new/<int:organisation_id>/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/export.csv", views.batch_export, name="batch_export"),
    path("batches/<int:pk>/paid/", views.batch_mark_paid, name="batch_mark_paid"),
]

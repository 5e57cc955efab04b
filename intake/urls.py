from django.urls import path

from intake import questionnaire_views, review_views, views

app_name = "intake"

urlpatterns = [
    path("questionnaires/", questionnaire_views.questionnaire_list, name="questionnaires"),
    path("review/<uuid:public_id>/", review_views.booking_review, name="booking_review"),
    path("<str:token>/", views.start_page, name="start"),
    path("<str:token>/section/<slug:section_id>/", views.section_page, name="section"),
    path("<str:token>/review/", views.review_page, name="review"),
    path("<str:token>/support/country/", views.support_country, name="support_country"),
    path("<str:token>/thanks/", views.thanks_page, name="thanks"),
    path("<str:token>/earlier/", views.earlier_page, name="earlier"),
    path("<str:token>/update-full/", views.update_full, name="update_full"),
    path("<str:token>/delete/", views.erase_page, name="erase"),
    path("<str:token>/export.json", review_views.export_json, name="export_json"),
    path("<str:token>/export/", review_views.export_page, name="export"),
]

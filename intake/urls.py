from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("<str:token>/", views.start_page, name="start"),
    path("<str:token>/section/<slug:section_id>/", views.section_page, name="section"),
    path("<str:token>/review/", views.review_page, name="review"),
    path("<str:token>/thanks/", views.thanks_page, name="thanks"),
    path("<str:token>/delete/", views.erase_page, name="erase"),
]

from django.urls import path

from prosumo.surveys import views

urlpatterns = [
    path("surveys/", views.my_surveys, name="my_surveys"),
    path("surveys/<id:survey_id>/", views.survey_answer, name="survey_answer"),
    path("staff/surveys/", views.staff_surveys, name="staff_surveys"),
    path("staff/surveys/<id:survey_id>/open/", views.staff_survey_open, name="staff_survey_open"),
    path("staff/surveys/<id:survey_id>/close/", views.staff_survey_close, name="staff_survey_close"),
]

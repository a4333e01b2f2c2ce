from django.urls import path

from prosumo.provenance import views

urlpatterns = [
    path("terms/", views.terms, name="terms"),
    path("terms/<int:number>/", views.terms, name="terms_version"),
    path("ideas/<id:idea_id>/certificate/", views.certificate, name="idea_certificate"),
    path("ideas/<id:idea_id>/certificate.json", views.certificate_download, name="idea_certificate_download"),
    path("staff/ideas/<id:idea_id>/prior-art/", views.prior_art, name="idea_prior_art"),
    path("staff/ideas/<id:idea_id>/prior-art/flag/", views.flag, name="idea_flag"),
]

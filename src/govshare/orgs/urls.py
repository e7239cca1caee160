from django.urls import path

from govshare.orgs import views

app_name = "orgs"

urlpatterns = [
    path("switch/", views.switch_department, name="switch_department"),
]

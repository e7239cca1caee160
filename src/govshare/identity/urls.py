from django.urls import path

from govshare.identity import views

app_name = "identity"

urlpatterns = [
    path("login/", views.sign_in_view, name="login"),
    path("logout/", views.sign_out_view, name="logout"),
    path("me/", views.account, name="account"),
]

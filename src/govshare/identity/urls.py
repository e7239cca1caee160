from django.urls import path

from govshare.identity import views

app_name = "identity"

urlpatterns = [
    path("login/", views.sign_in_view, name="login"),
    path("login/check/", views.sign_in_check_view, name="login_check"),
    path("logout/", views.sign_out_view, name="logout"),
    path("me/", views.account, name="account"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/tokens/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/sign-in-blocks/", views.sign_in_blocks, name="sign_in_blocks"),
    path("users/sign-in-blocks/clear/", views.address_unblock, name="address_unblock"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
]

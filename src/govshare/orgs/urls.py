from django.urls import path

from govshare.orgs import views

app_name = "orgs"

urlpatterns = [
    path("switch/", views.switch_department, name="switch_department"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", views.department_edit, name="department_edit"),
    path(
        "departments/<int:pk>/contact/",
        views.department_contact_edit,
        name="department_contact_edit",
    ),
    path("departments/<int:pk>/members/add/", views.membership_add, name="membership_add"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/new/", views.region_create, name="region_create"),
]

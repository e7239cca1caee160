"""URLs of the working-day calendar (工作日历); included by the sharing URL map, whose namespace
the views reverse (views.calendar.NAMESPACE)."""

from django.urls import URLPattern, path

from govshare.sharing.views import calendar

urlpatterns: list[URLPattern] = [
    path("calendar/", calendar.calendar_year, name="calendar_current"),
    path("calendar/<int:year>/", calendar.calendar_year, name="calendar_year"),
    path("calendar/<int:year>/load/", calendar.calendar_year_load_view, name="calendar_year_load"),
    path("calendar/days/add/", calendar.calendar_day_add, name="calendar_day_add"),
    path("calendar/days/<int:pk>/edit/", calendar.calendar_day_edit, name="calendar_day_edit"),
    path(
        "calendar/days/<int:pk>/delete/",
        calendar.calendar_day_delete_view,
        name="calendar_day_delete",
    ),
]

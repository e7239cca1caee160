"""URL map of the inventory: each topic's views module contributes its own patterns."""

from govshare.inventory.views import (
    census,
    health,
    integration,
    projects,
    systems,
    worktasks,
    zombies,
)

app_name = "inventory"

urlpatterns = [
    *systems.urlpatterns,
    *census.urlpatterns,
    *zombies.urlpatterns,
    *integration.urlpatterns,
    *health.urlpatterns,
    *projects.urlpatterns,
    *worktasks.urlpatterns,
]

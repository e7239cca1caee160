"""Rebuild the search index: names now carry their pinyin initials (search by rkjc → 人口基础…).

The index is marked for rebuilding; today's code fills it after migrate (CatalogConfig's
post_migrate step), since a migration must not run today's indexing against its point in history.
"""

from django.db import migrations

MARK_FOR_REBUILD = "UPDATE catalog_search_state SET token = 'rebuild' WHERE id = 1"


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_index")]

    operations = [migrations.RunSQL(MARK_FOR_REBUILD, migrations.RunSQL.noop)]

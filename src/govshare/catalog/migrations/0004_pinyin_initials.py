"""Rebuild the search index: names now carry their pinyin initials (search by rkjc → 人口基础…)."""

from django.db import migrations


def reindex(apps, schema_editor):
    from govshare.catalog.search.index import reindex_all

    reindex_all()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_index")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]

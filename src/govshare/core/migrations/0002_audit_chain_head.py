from django.db import migrations


def create_head(apps, schema_editor):
    # The head row exists before the first append, so concurrent first writers lock the same row.
    apps.get_model("core", "ChainHead").objects.get_or_create(name="audit")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]

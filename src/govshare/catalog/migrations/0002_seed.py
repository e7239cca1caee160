from django.db import migrations

from govshare.catalog import seed


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed.load, migrations.RunPython.noop)]

"""Seed the working-day calendar with the national holidays of 2025 and 2026 (idempotent)."""

from django.db import migrations

from govshare.sharing import holidays


def seed_national_holidays(apps, schema_editor):
    holidays.load(apps, schema_editor, years=(2025, 2026))


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]
    operations = [migrations.RunPython(seed_national_holidays, migrations.RunPython.noop)]

# The delivery log is append-only in the database too (issue #11 item 4): see core/evidence/append_only.py.

from django.db import migrations

from govshare.core.evidence.append_only import guard_table


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0003_delivery_choices"),
    ]

    operations = [guard_table("exchange_deliveryrecord")]

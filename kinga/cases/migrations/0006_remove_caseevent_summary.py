"""CaseEvent.summary dropped: its sentences are CaseEvent.params since 0005."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_caseevent_params"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="caseevent",
            name="summary",
        ),
    ]

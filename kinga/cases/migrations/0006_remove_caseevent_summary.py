"""CaseEvent.summary dropped: its sentences are CaseEvent.params since 0005.

The field is given a default first so that going back (0006 reversed) can add the column again to a table
that has rows; 0005 reversed then writes the sentences into it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_caseevent_params"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="summary",
            field=models.CharField(max_length=255, blank=True, default=""),
        ),
        migrations.RemoveField(
            model_name="caseevent",
            name="summary",
        ),
    ]

"""Every survey round gets an end date. A round without one ends the day before the next round starts; the last
one at the end of the year it started (a manager moves it on the rounds page if fieldwork went on)."""

import datetime

from django.db import migrations, models


def fill_ends(apps, schema_editor):
    SurveyRound = apps.get_model("households", "SurveyRound")
    rounds = list(SurveyRound.objects.order_by("starts_on", "number"))
    for i, rnd in enumerate(rounds):
        if rnd.ends_on is not None:
            continue
        later = [r.starts_on for r in rounds[i + 1 :] if r.starts_on > rnd.starts_on]
        rnd.ends_on = (
            min(later) - datetime.timedelta(days=1) if later else datetime.date(rnd.starts_on.year, 12, 31)
        )
        rnd.save(update_fields=["ends_on"])


class Migration(migrations.Migration):
    dependencies = [("households", "0009_date_indexes")]

    operations = [
        migrations.RunPython(fill_ends, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="surveyround", name="survey_round_dates_ordered"),
        migrations.AlterField(
            model_name="surveyround", name="ends_on", field=models.DateField(verbose_name="end")
        ),
        migrations.AddConstraint(
            model_name="surveyround",
            constraint=models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="survey_round_dates_ordered"
            ),
        ),
    ]

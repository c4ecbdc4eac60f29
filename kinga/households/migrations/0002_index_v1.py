from django.db import migrations

WEIGHTS = {
    "low_income": 1,
    "hunger": 1,
    "child_mine_work": 1,
    "child_out_of_school": 1,
    "vulnerable_head": 1,
    "disability_or_illness": 1,
    "no_productive_assets": 1,
}
THRESHOLDS = {"income_per_person_usd_month": 57, "hunger_scale_min": 2, "child_head_max_age": 17}


def create_v1(apps, schema_editor):
    Version = apps.get_model("households", "VulnerabilityIndexVersion")
    Version.objects.get_or_create(
        code="v1",
        defaults={
            "weights": WEIGHTS,
            "thresholds": THRESHOLDS,
            "is_current": True,
            "description": "Seven items of the plan's socio-economic survey, equally weighted.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(create_v1, migrations.RunPython.noop)]

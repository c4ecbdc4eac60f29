"""The description of the index's first version, shown on the index page, in French like every page."""

from django.db import migrations

ENGLISH = "Seven items of the plan's socio-economic survey, equally weighted."
FRENCH = "Sept critères de l'enquête socio-économique du plan, de même poids."


def to_french(apps, schema_editor):
    Version = apps.get_model("households", "VulnerabilityIndexVersion")
    Version.objects.filter(code="v1", description=ENGLISH).update(description=FRENCH)


def to_english(apps, schema_editor):
    Version = apps.get_model("households", "VulnerabilityIndexVersion")
    Version.objects.filter(code="v1", description=FRENCH).update(description=ENGLISH)


class Migration(migrations.Migration):
    dependencies = [("households", "0011_import_in_background")]

    operations = [migrations.RunPython(to_french, to_english)]

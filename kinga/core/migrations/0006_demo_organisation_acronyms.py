# Demo databases made before the supply generator was fixed hold organisations whose acronym is the run's tag,
# "(1)": every page showed them as "(1)". Such a value is no acronym; without one, the full name is shown.
from django.db import migrations


def clear_tag_acronyms(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    Organisation.objects.filter(acronym__regex=r"^\(\d+\)$").update(acronym="")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_tallies")]

    operations = [migrations.RunPython(clear_tag_acronyms, migrations.RunPython.noop)]

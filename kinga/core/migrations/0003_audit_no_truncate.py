"""On PostgreSQL the audit trail cannot be emptied either: a statement-level trigger refuses TRUNCATE, for
every role, the owner included (the row-level trigger of 0002 stays, against UPDATE and DELETE). With the
two-role deployment of docs/deploy.md the runtime role cannot disable either trigger: it owns no table."""

from django.db import migrations

FORWARD = """
CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION kinga_audit_append_only();
"""
BACKWARD = "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(forward, backward)]

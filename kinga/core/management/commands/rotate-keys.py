from django.apps import apps
from django.db import connection, transaction

from kinga.core import audit, crypto
from kinga.core.actors import ActorCommand
from kinga.core.fields import protected_fields


class Command(ActorCommand):
    help = (
        "Rechiffrer chaque valeur protégée sous la première clé de KINGA_ENCRYPTION_KEYS. "
        "Mettez la nouvelle clé en premier, gardez les anciennes après elle, lancez cette commande, "
        "puis retirez les anciennes clés."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Lignes rechiffrées par lot (par défaut : 2000)."
        )

    def handle(self, *args, **options):
        actor = self.get_actor(options)
        total = 0
        for model in apps.get_models():
            fields = protected_fields(model)
            if not fields or model._meta.proxy:
                continue
            rotated = _rotate_table(model, [f.column for f in fields], options["batch_size"])
            if rotated:
                self.stdout.write(f"{model._meta.label} : {rotated} ligne(s) rechiffrée(s)")
            total += rotated
        audit.record(
            actor=actor, action="other", target_type="core.encryption_keys", note=f"rotate-keys: {total} rows"
        )
        self.stdout.write(f"rotate-keys : {total} ligne(s) rechiffrée(s) sous la clé principale")


def _rotate_table(model, columns: list[str], batch_size: int) -> int:
    """Tokens are read and written as raw column values: they are re-encrypted, never decrypted into records."""
    q = connection.ops.quote_name
    table, pk = q(model._meta.db_table), q(model._meta.pk.column)
    cols = ", ".join(q(c) for c in columns)
    assignments = ", ".join(f"{q(c)} = %s" for c in columns)
    rotated, last_pk = 0, None
    while True:
        where, params = ("WHERE " + pk + " > %s", [last_pk]) if last_pk is not None else ("", [])
        with connection.cursor() as cursor:
            select = f"SELECT {pk}, {cols} FROM {table} {where} ORDER BY {pk} LIMIT %s"  # noqa: S608
            cursor.execute(select, [*params, batch_size])
            chunk = cursor.fetchall()
        if not chunk:
            return rotated
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                [[crypto.rotate(t) if t else t for t in tokens] + [row_pk] for row_pk, *tokens in chunk],
            )
        rotated += len(chunk)
        last_pk = chunk[-1][0]

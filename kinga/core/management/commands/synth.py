import time

from django.core.management.base import BaseCommand, CommandError

from kinga.core import memo, tallies
from kinga.core.models import Membership, Organisation, Place
from kinga.core.plugins import run_reference_loaders, synth_generators
from kinga.core.synth import SCALES, SynthContext
from kinga.core.synth_clone import clone_all, factor_for


def has_domain_records() -> bool:
    return Organisation.objects.filter(is_reference=False).exists() or Membership.objects.exists()


class Command(BaseCommand):
    help = "Remplir la base de données synthétiques réalistes (sans lignes d'audit)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--append", action="store_true", help="Ajouter à une base qui contient déjà des données."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Ne rien faire (et réussir) si la base contient déjà des données.",
        )
        parser.add_argument("--only", nargs="*", help="Lancer seulement ces générateurs (après le socle).")

    def handle(self, *args, **options):
        if not Place.objects.exists():
            run_reference_loaders(stdout=self.stdout)
        if has_domain_records() and options["if_empty"]:
            self.stdout.write("synth: la base contient déjà des données, rien n'est ajouté.")
            return
        if has_domain_records() and not options["append"]:
            raise CommandError(
                "La base contient déjà des données : utilisez --append pour ajouter des données synthétiques."
            )
        ctx = SynthContext(
            scale=options["scale"], seed=options["seed"], append=options["append"], stdout=self.stdout
        )
        started = time.perf_counter()
        for generator in synth_generators():
            if options["only"] and generator.name not in options["only"] and generator.name != "core":
                continue
            t0 = time.perf_counter()
            generator.run(ctx)
            self.stdout.write(f"  {generator.name}: {time.perf_counter() - t0:.1f} s")
        factor = factor_for(options["scale"])
        if factor > 1 and not options["only"]:
            t0 = time.perf_counter()
            for table, added in clone_all(factor, self.stdout.write).items():
                ctx.inserted(table, added)
            self.stdout.write(f"  clone ×{factor}: {time.perf_counter() - t0:.1f} s")
        # The generators write in bulk, past the model signals that keep the tallies current.
        t0 = time.perf_counter()
        tallies.rebuild()
        memo.forget_everything()
        self.stdout.write(f"  tallies: {time.perf_counter() - t0:.1f} s")
        elapsed = time.perf_counter() - started
        rows = sum(ctx.counts.values())
        for table, count in sorted(ctx.counts.items()):
            self.stdout.write(f"  {table}: {count}")
        rate = rows / elapsed if elapsed else 0
        self.stdout.write(
            f"synth {options['scale']} : {rows} lignes en {elapsed:.1f} s ({rate:.0f} lignes/s)"
        )

from kinga.core.actors import ActorCommand
from kinga.core.plugins import run_reference_loaders


class Command(ActorCommand):
    help = "Charger les données de référence (lieux, organisations, le plan…), de façon idempotente."

    def handle(self, *args, **options):
        run_reference_loaders(actor=self.get_actor(options), stdout=self.stdout)

from django.core.management.base import BaseCommand

from kinga.core.plugins import reference_loaders


class Command(BaseCommand):
    help = "Load the reference data (places, organisations, the plan...) idempotently."

    def handle(self, *args, **options):
        for loader in reference_loaders():
            loader.run(stdout=self.stdout)

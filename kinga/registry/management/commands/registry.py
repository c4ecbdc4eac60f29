"""`kinga registry ...`: the children's registry from the command line.

kinga registry match --csv FILE [--threshold X] [-o OUT]   evaluate the matcher on a file
"""

from __future__ import annotations

import argparse
import sys

from django.core.management.base import CommandError

from kinga.cases.models import Child
from kinga.core.actors import ActorCommand
from kinga.registry.matching import REVIEW_THRESHOLD
from kinga.registry.matching.csvfile import match_rows, read_records, write_pairs
from kinga.registry.profiles import save_profiles
from kinga.registry.services import fill_review_queue
from kinga.registry.tasks import find_duplicates


def _threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a number between 0 and 1") from None
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("a number between 0 and 1")
    return number


class Command(ActorCommand):
    help = "The children's registry: duplicate detection."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        sub = parser.add_subparsers(dest="action", required=True)
        batch = sub.add_parser(
            "batch", help="Search the whole registry for probable duplicates (review queue)."
        )
        batch.add_argument("--enqueue", action="store_true", help="Run it as a background task.")
        sub.add_parser("index", help="Rebuild the matching profile of every child (after a bulk import).")
        match = sub.add_parser(
            "match",
            help="Find probable duplicates in a CSV file (id, given_name, family_name, sex, birth_date, age, "
            "place, caregiver) and write id_a,id_b,score.",
        )
        match.add_argument(
            "--csv", required=True, metavar="FILE", help="Input CSV with a header row ('-': stdin)."
        )
        match.add_argument(
            "--threshold",
            type=_threshold,
            default=REVIEW_THRESHOLD,
            help=f"Lowest score written (default {REVIEW_THRESHOLD}, recommended for review queues).",
        )
        match.add_argument("-o", "--output", metavar="OUT", help="Output file (default: standard output).")

    def handle(self, *args, **options):
        return getattr(self, "handle_" + options["action"])(options)

    def handle_match(self, options):
        path = options["csv"]
        try:
            handle = sys.stdin if path == "-" else open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            read = read_records(handle)
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text") from None
        finally:
            if handle is not sys.stdin:
                handle.close()
        for line, reason in read.errors:
            self.stderr.write(f"{path}:{line}: {reason}; row skipped")
        if not read.records:
            raise CommandError("no usable row")
        rows = match_rows(read.records, threshold=options["threshold"])
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                write_pairs(rows, out)
        else:
            write_pairs(rows, self.stdout)
        self.stderr.write(
            f"{len(read.records)} records read, {len(rows)} pairs at or above {options['threshold']}"
        )

    def handle_batch(self, options):
        if options["enqueue"]:
            result = find_duplicates.enqueue()
            self.stdout.write(f"registry batch: task {result.id} enqueued")
            return

        summary = fill_review_queue(actor=self.get_actor(options))
        self.stdout.write(
            "registry batch: {profiles} profiles, {compared} pairs compared, {found} probable duplicates, "
            "{added} new in the review queue ({seconds:.1f} s)".format(
                seconds=summary["load_seconds"] + summary["match_seconds"] + summary["queue_seconds"],
                **summary,
            )
        )

    def handle_index(self, options):
        children = (
            Child.objects.select_related("residence", "place_of_origin")
            .order_by("pk")
            .iterator(chunk_size=2000)
        )
        self.stdout.write(f"registry index: {save_profiles(children)} profiles")

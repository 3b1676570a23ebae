"""python manage.py list_generators [--json]: the registered generators and their settings."""

import json

from django.core.management.base import BaseCommand

from compute.generators import REGISTRY


class Command(BaseCommand):
    help = "List the compute generators: slug, title, lectures, answer kind, settings."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON list")

    def handle(self, *args, **options):
        generators = sorted(REGISTRY.values(), key=lambda g: (min(g.lectures or (99,)), g.slug))
        if options["json"]:
            self.stdout.write(json.dumps([g.describe() for g in generators], indent=2, ensure_ascii=False))
            return
        for g in generators:
            lectures = ", ".join(f"L{n:02d}" for n in g.lectures)
            self.stdout.write(f"{g.slug:28} {lectures:22} {g.answer_kind:7} {g.title}")
            settings = ", ".join(f"{f['name']}={json.dumps(f['default'])}" for f in g.describe()["config"])
            self.stdout.write(f"{'':28} {settings}")

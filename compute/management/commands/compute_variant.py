"""python manage.py compute_variant SLUG --seed N [--config JSON] [--device cpu|cuda] [--json]."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from compute.config import ConfigError
from compute.device import DeviceError, device_name
from compute.generators import UnknownGenerator, get_generator
from compute.latex import value as latex_value
from compute.steps import step_chain


class Command(BaseCommand):
    help = "Compute one variant of a generator: parameters, answer, tolerance, worked solution, mistakes."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="generator slug (see list_generators)")
        parser.add_argument("--seed", type=int, required=True, help="variant seed (0 ≤ seed < 2^63)")
        parser.add_argument(
            "--config", default="{}", help='generator settings as JSON, e.g. \'{"wrt": "W1"}\''
        )
        parser.add_argument(
            "--device",
            choices=["auto", "cpu", "cuda"],
            default=None,
            help="default: QUIZSERVER_COMPUTE_DEVICE or auto",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, slug, seed, config, device, **options):
        if not 0 <= seed < 2**63:
            raise CommandError("--seed must be between 0 and 2^63 − 1.")
        try:
            generator = get_generator(slug)
            config = json.loads(config)
            device = device_name(device)
            start = time.perf_counter()
            variant = generator.generate(seed, config, device)
            compute_ms = (time.perf_counter() - start) * 1000
        except json.JSONDecodeError as error:
            raise CommandError(f"--config is not valid JSON: {error}") from None
        except (UnknownGenerator, ConfigError, DeviceError) as error:
            raise CommandError(str(error)) from None
        data = variant.to_json()
        if options["json"]:
            result = {
                key: data[key]
                for key in (
                    "generator",
                    "seed",
                    "config",
                    "params",
                    "answer",
                    "tolerance",
                    "steps",
                    "mistakes",
                )
            }
            result.update(device=device, compute_ms=round(compute_ms, 3))
            if generator.step_specs(variant.config):  # multi-step: each step's exact value
                result["step_values"] = step_chain(generator, variant.params, variant.config)
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(f"{generator.title} ({slug}), seed {seed}, {device}, {compute_ms:.2f} ms")
        for name, value in variant.params.items():
            self.stdout.write(f"  {name} = {latex_value(value)}")
        self.stdout.write(
            f"answer = {variant.answer}  (rtol {variant.tolerance['rtol']}, atol {variant.tolerance['atol']})"
        )
        for mistake in variant.mistakes:
            self.stdout.write(f"  mistake {mistake.name}: {mistake.value}  — {mistake.message}")
        for number, step in enumerate(variant.steps, start=1):
            self.stdout.write(f"{number}. {step.title}\n   {step.body}")

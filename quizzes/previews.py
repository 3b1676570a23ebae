"""Previews of computed questions for instructors: a few variants with answers and solutions.

Runs the generator in the calling process (so the admin imports torch on the first preview;
student pages never call this).
"""

import html

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from compute.generators import REGISTRY
from compute.latex import value as latex_value
from quizzes import computed
from quizzes.rendering import render_many

PREVIEW_SEEDS = (1, 2, 3, 4, 5)


def generator_choices() -> list[tuple[str, str]]:
    """(slug, label) pairs for a select box, grouped by first lecture."""
    ordered = sorted(REGISTRY.values(), key=lambda g: (min(g.lectures or (99,)), g.slug))
    return [("", "—")] + [
        (g.slug, f"{g.title} ({', '.join(f'L{n:02d}' for n in g.lectures)}) — {g.slug}") for g in ordered
    ]


def generator_catalogue() -> SafeString:
    """An HTML table describing every generator and its settings, for the question form."""
    rows = []
    for g in sorted(REGISTRY.values(), key=lambda g: (min(g.lectures or (99,)), g.slug)):
        settings = "; ".join(_describe_setting(f) for f in g.describe()["config"])
        rows.append((g.slug, g.title, ", ".join(map(str, g.lectures)), g.description, settings))
    body = format_html_join(
        "", "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
    )
    return format_html(
        "<details><summary>All generators ({})</summary><table><thead><tr><th>slug</th><th>title</th>"
        "<th>lectures</th><th>what it asks</th><th>settings</th></tr></thead><tbody>{}</tbody></table></details>",
        len(rows),
        body,
    )


def _describe_setting(field: dict) -> str:
    allowed = f", one of {', '.join(map(str, field['choices']))}" if "choices" in field else ""
    return f"{field['name']} (default {field['default']!r}{allowed})"


def computed_preview(question) -> SafeString:
    """Five variants (preview seeds) with prompt, diagram, answer, known mistakes and worked solution.

    A generator error is shown as a message, never raised.
    """
    try:
        generator, config = computed.generator_for(question), computed.config_for(question)
        variants = [generator.generate(seed, config) for seed in PREVIEW_SEEDS]
    except Exception as error:  # show the instructor what is wrong instead of a 500
        return format_html(
            '<p class="errornote">The generator failed: {}: {}</p>', type(error).__name__, error
        )
    blocks = []
    for variant in variants:
        prompt = computed.fill_prompt(question.prompt.strip() or variant.prompt, variant.params)
        texts = [prompt, f"$${latex_value(variant.answer)}$$"] + [s.body for s in variant.steps]
        prompt_html, answer_html, *step_html = render_many(texts)
        mistakes = format_html_join(
            "",
            "<li><code>{}</code>: {} (value {})</li>",
            ((m.name, m.message, m.value) for m in variant.mistakes),
        )
        steps = format_html_join(
            "",
            "<li><strong>{}</strong>{}</li>",
            ((step.title, mark_safe(body)) for step, body in zip(variant.steps, step_html, strict=True)),
        )
        blocks.append(
            format_html(
                '<details class="variant-preview"><summary>Seed {} — answer {}</summary>{}{}'
                "<p><strong>Answer</strong> (rtol {}, atol {})</p>{}<p><strong>Known mistakes</strong></p><ul>{}</ul>"
                "<p><strong>Worked solution</strong></p><ol>{}</ol></details>",
                variant.seed,
                html.unescape(str(variant.answer))[:80],
                mark_safe(prompt_html),
                mark_safe(variant.diagram or ""),
                variant.tolerance["rtol"],
                variant.tolerance["atol"],
                mark_safe(answer_html),
                mistakes or mark_safe("<li>none</li>"),
                steps,
            )
        )
    return format_html(
        '<div class="quiz-preview" style="max-width:48rem">{}</div>', mark_safe("".join(blocks))
    )

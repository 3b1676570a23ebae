"""The quiz page's questions as HTML fragments, each rendered once per state and then cached.

A question's fragment (``templates/quizzes/_question.html`` with its kind's widget) is a pure
function of what ``fragment_key`` hashes: the quiz's settings and the three facts that depend on
the time (open, closed, feedback visible), the question with its choices, the student's variant
(its status and whether its solution was revealed) and every answer to every variant of the
question (status and score; earlier variants decide mastery). The same key therefore always means
the same HTML, and any change to one of those gives a new key: nothing needs invalidating.
Rendering the Markdown, the diagram and the worked solution, and the template itself, happen only
for the fragments not in the cache.

The CSRF token differs per visitor, so fragments are cached with a placeholder that is replaced
on the way out; so are the course's images (``<img src="image:NAME">``), whose URLs carry their
content hash and are put in on the way out too (``quizzes.images.images_resolved``), so a replaced
image shows at once. ``FRAGMENT_VERSION`` and a hash of the templates' source are part of the key:
bump the version when the code that decides what a fragment shows changes (``QuestionState``,
the kinds' ``widget``).
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from quizzes.images import images_resolved
from quizzes.rendering import RENDER_VERSION
from quizzes.states import QuestionState, add_html

FRAGMENT_VERSION = 3
CACHE_SECONDS = 60 * 60 * 24
CSRF_PLACEHOLDER = "csrf0placeholder0fragment"  # what the cached fragment holds instead of the token
TEMPLATE = "quizzes/_question.html"


def _templates_hash() -> str:
    """A hash of the fragment's template sources, so an edited template is a new key."""
    folder = Path(settings.BASE_DIR) / "templates" / "quizzes"
    sources = [folder / "_question.html", *sorted((folder / "kinds").glob("*.html"))]
    return hashlib.sha256(b"".join(path.read_bytes() for path in sources)).hexdigest()[:12]


TEMPLATES_HASH = _templates_hash()


def fragment_key(state: QuestionState, course) -> str:
    """The cache key of ``state``'s fragment: a hash of every input the fragment depends on."""
    quiz, question, variant = state.quiz, state.question, state.variant
    inputs = [
        FRAGMENT_VERSION, RENDER_VERSION, TEMPLATES_HASH, course.slug,
        [quiz.id, quiz.mode, quiz.hint_after, quiz.try_credits, quiz.feedback_policy,
         state.is_open, quiz.has_closed(state.now), state.feedback_visible],
        [question.id, state.number, question.kind, question.title, question.points, question.prompt, question.hint,
         question.explanation, question.settings,
         [[c.id, c.text, c.feedback, c.is_correct] for c in question.choices.all()]],
        [variant.id, variant.status, variant.error, str(variant.revealed_at)],
        [[s.id, s.variant_id, s.status, s.score, s.points, s.after_reveal, str(s.graded_at), str(s.regraded_at)]
         for s in state.history],
    ]
    digest = hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()[:40]
    return f"quizzes.fragment:{digest}"


def question_fragments(*, request, quiz, course, states: list[QuestionState]) -> list[SafeString]:
    """The HTML of each state's question, in order: from the cache, or rendered and cached.

    One ``get_many`` (and one ``set_many`` when something was missing) whatever the number of
    questions; the CSRF token of ``request`` is put into each, and the URLs of the course's images
    (one query, only when a fragment shows one).
    """
    keys = [fragment_key(state, course) for state in states]
    found = cache.get_many(keys)
    missing = [(key, state) for key, state in zip(keys, states, strict=True) if key not in found]
    if missing:
        add_html([state for _, state in missing])
        made = {
            key: render_to_string(TEMPLATE, {"state": state, "quiz": quiz, "course": course,
                                             "csrf_token": CSRF_PLACEHOLDER})
            for key, state in missing
        }
        cache.set_many(made, timeout=CACHE_SECONDS)
        found.update(made)
    token = get_token(request)
    # The placeholder sits only where {% csrf_token %} put it; the token is letters and digits.
    fragments = images_resolved([found[key] for key in keys], course.id)
    return [mark_safe(fragment.replace(CSRF_PLACEHOLDER, token)) for fragment in fragments]

"""The keys of each course file, declared once, and one table's values read from and written to TOML data.

A ``Key`` names a key of a file, the model field it holds and its type; a ``Table`` is the keys of one
TOML table (course.toml, lecture.toml, one of its [[quizzes]], a question's front matter, one of its
[[choices]]). ``read_table`` checks a table read from a file and gives its values by model field;
``write_table`` gives the TOML data to write for such values. Both directions use the same keys, so
what is written reads back as the same values.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from authoring.toml_format import dumps
from courses.models import Course, Lecture
from quizzes.models import Choice, Question, Quiz

TYPE_NAMES = {"text": "a text", "int": "a whole number", "float": "a number", "bool": "true or false",
              "datetime": "a date and time with its UTC offset", "uids": "a list of question uids"}
TYPES = {"text": str, "int": int, "float": (int, float), "bool": bool, "datetime": dt.datetime, "uids": list}


@dataclass(frozen=True)
class Key:
    """One key of a file: ``name`` there, the model ``field`` it holds, its ``type`` (a TYPE_NAMES key).
    A ``required`` key must be given; any other takes the field's default when left out, and an ``optional``
    one is left out of written files when it holds that default (an empty text, no date, 1 point)."""

    name: str
    field: str
    type: str
    required: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    keys: tuple[Key, ...]
    defaults: dict = field(default_factory=dict)  # field -> default, where not the model field's

    def default(self, key: Key):
        if key.field in self.defaults:
            return self.defaults[key.field]
        return self.model._meta.get_field(key.field).get_default()


def text(name: str, field_name: str = "", **options) -> Key:
    return Key(name, field_name or name, "text", **options)


COURSE = Table(Course, (
    text("slug", required=True), text("title", required=True), text("term", optional=True),
    text("enrolment_code"), Key("enrolment_open", "enrolment_open", "bool"), text("description", optional=True),
), defaults={"enrolment_code": None})  # left out: an existing course keeps its code, a new one gets a random one
LECTURE = Table(Lecture, (
    Key("number", "number", "int", required=True), text("title", required=True), text("slug", required=True),
    Key("release", "release_date", "datetime", optional=True), text("description", optional=True),
))
QUIZ = Table(Quiz, (
    text("uid", required=True), text("title", required=True), text("description", optional=True),
    Key("position", "position", "int"), text("mode"), Key("published", "is_published", "bool"),
    Key("opens", "opens_at", "datetime", optional=True), Key("closes", "closes_at", "datetime", optional=True),
    Key("hint_after", "hint_after", "int"), text("try_credits"), text("feedback_policy"),
    Key("questions", "questions", "uids", required=True),  # not a field: the quiz's questions in order
), defaults={"questions": []})
# A question's front matter: these keys, the kind's settings, these keys, [[choices]]; the body is the prompt.
QUESTION_HEAD = Table(Question, (
    text("uid", required=True), text("kind", required=True), text("title", optional=True),
    Key("points", "points", "float", optional=True),
))
QUESTION_TAIL = Table(Question, (text("hint", optional=True), text("explanation", optional=True)))
CHOICE = Table(Choice, (
    text("text", required=True), Key("correct", "is_correct", "bool"),
    Key("fraction", "fraction", "float", optional=True),  # Moodle fractions scoring; written only when set
    text("feedback", optional=True),
))


def tidy(value: str) -> str:
    """Texts are kept as the admin keeps them: stripped, with \\n line ends."""
    return value.replace("\r\n", "\n").strip()


def read_table(table: Table, data: dict, prefix: str = "", strict: bool = True) -> tuple[dict, list]:
    """``data``'s values by model field, defaults filled in, and (key path, message) per problem.

    ``prefix`` is the table's key path ("quizzes[0]."), put before each key in the problems (a missing
    key's problem names the table itself); ``strict``: a key ``table`` does not know is a problem.
    """
    problems = []
    known = [key.name for key in table.keys]
    if strict:
        problems += [(prefix + name, f"unknown key “{name}” (keys: {', '.join(known)})")
                     for name in data if name not in known]
    fields = {}
    for key in table.keys:
        fields[key.field] = table.default(key)
        if key.name not in data:
            if key.required:
                problems.append((prefix.rstrip(".") or None, f"“{key.name}” is missing"))
            continue
        try:
            fields[key.field] = _convert(key, data[key.name])
        except ValueError as error:
            problems.append((prefix + key.name, f"{key.name}: {error}"))
    return fields, problems


def _convert(key: Key, value):
    if not isinstance(value, TYPES[key.type]) or (isinstance(value, bool) and key.type != "bool"):
        raise ValueError(f"expected {TYPE_NAMES[key.type]}, got {_shown(value)}")
    if key.type == "datetime" and value.utcoffset() is None:
        raise ValueError(f"give the UTC offset too, e.g. {value.isoformat()}+02:00")
    if key.type == "uids" and not all(isinstance(uid, str) for uid in value):
        raise ValueError(f"expected {TYPE_NAMES[key.type]}, e.g. ['l01-first', 'l01-second']")
    return tidy(value) if key.type == "text" else float(value) if key.type == "float" else value


def _shown(value) -> str:
    if isinstance(value, dict | list):
        return "a table" if isinstance(value, dict) else "a list"
    try:
        return dumps({"v": value}).split(" = ", 1)[1].strip()
    except ValueError:  # a datetime without offset
        return str(value)


def write_table(table: Table, fields: dict) -> dict:
    """The TOML data for ``fields``: keys in table order, optional keys at their default left out."""
    data = {}
    for key in table.keys:
        value = fields[key.field]
        if value is None or key.optional and value == table.default(key):
            continue
        if key.type == "text":
            value = tidy(value)
            value += "\n" if "\n" in value else ""  # a multi-line text ends with ''' on a line of its own
        elif key.type == "datetime":
            value = timezone.localtime(value)  # in the site's time zone, with its offset
        elif key.type == "float":
            value = float(value)
        data[key.name] = value
    return data

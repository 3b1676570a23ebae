"""Tests for authoring/toml_format.py: the exact text written, round trips, and file line numbers."""

import datetime as dt
import math
import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from authoring.toml_format import FrontMatterError, dumps, join_front_matter, split_front_matter

QUESTION = {
    "uid": "l02-chain-rule",
    "kind": "single",
    "title": "Which rule?",
    "points": 1.0,
    "hint": "Think about $\\frac{\\partial L}{\\partial x}$ …\n",
    "choices": [
        {"text": "The chain rule", "correct": True, "feedback": ""},
        {"text": "The product rule", "correct": False, "feedback": "Products appear in $\\sigma'(z)$, but not here."},
    ],
}
PROMPT = "The prompt in Markdown with LaTeX: $\\sigma'(z) = \\sigma(z)(1-\\sigma(z))$.\n"
QUESTION_FILE = r"""+++
uid = 'l02-chain-rule'
kind = 'single'
title = 'Which rule?'
points = 1.0
hint = '''
Think about $\frac{\partial L}{\partial x}$ …
'''

[[choices]]
text = 'The chain rule'
correct = true
feedback = ''

[[choices]]
text = 'The product rule'
correct = false
feedback = '''Products appear in $\sigma'(z)$, but not here.'''
+++
The prompt in Markdown with LaTeX: $\sigma'(z) = \sigma(z)(1-\sigma(z))$.
"""


def test_question_file_is_written_as_hugo_style_front_matter():
    assert join_front_matter(QUESTION, PROMPT) == QUESTION_FILE


def test_question_file_reads_back_with_body_and_lines():
    matter = split_front_matter(QUESTION_FILE)
    assert matter.data == QUESTION
    assert matter.body == PROMPT
    assert matter.body_line == 20
    assert QUESTION_FILE.split("\n")[matter.body_line - 1] == PROMPT.rstrip("\n")


def test_latex_is_written_as_typed():
    text = join_front_matter(QUESTION, PROMPT)
    assert "\\frac{\\partial L}{\\partial x}" in text  # single backslashes, as the instructor typed them
    assert "\\sigma'(z)" in text
    assert "\\\\" not in text
    assert "\\frac{1}{2}" in dumps({"a": "$\\frac{1}{2}$"})


def test_top_level_plain_keys_come_first_then_tables_and_arrays_of_tables():
    data = {
        "generator": "chain-rule",
        "opens": dt.datetime(2026, 9, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "due": dt.date(2026, 9, 15),
        "config": {
            "activation": "sigmoid",
            "shape": [2, 3],
            "weights": [[1.0, -0.5], [0.25, 2.0]],
            "init": {"seed": 7, "scale": 0.1},
            "layers": [{"units": 4}, {"units": 1}],
            "empty": {},
        },
        "tags": ["backprop", "calculus"],
        "versions": [{"n": 1}, {}],
        "none_yet": [],
        "mixed": [{"a": 1}, 2],
    }
    expected = """\
generator = 'chain-rule'
opens = 2026-09-01T10:00:00+02:00
due = 2026-09-15
tags = ['backprop', 'calculus']
none_yet = []
mixed = [{ a = 1 }, 2]

[config]
activation = 'sigmoid'
shape = [2, 3]
weights = [[1.0, -0.5], [0.25, 2.0]]
init = { seed = 7, scale = 0.1 }
layers = [{ units = 4 }, { units = 1 }]
empty = {}

[[versions]]
n = 1

[[versions]]
"""
    assert dumps(data) == expected
    assert tomllib.loads(dumps(data)) == data


def test_numbers_keep_their_type_and_every_bit():
    data = {"i": 1, "f": 1.0, "neg_zero": -0.0, "tiny": 1e-300, "huge": 1e300, "tenth": 0.1, "big": -(2**63)}
    text = dumps(data)
    assert text == (
        "i = 1\nf = 1.0\nneg_zero = -0.0\ntiny = 1e-300\nhuge = 1e+300\ntenth = 0.1\nbig = -9223372036854775808\n"
    )
    back = tomllib.loads(text)
    assert back == data
    assert type(back["i"]) is int and type(back["f"]) is float
    assert math.copysign(1.0, back["neg_zero"]) == -1.0


def test_keys_that_are_not_bare_are_quoted():
    assert dumps({"x-y_Z9": 1, "a b": 2, "": 3, "a.b": 4, "ŷ": 5, 'say "hi"': 6}) == (
        'x-y_Z9 = 1\n"a b" = 2\n"" = 3\n"a.b" = 4\n"ŷ" = 5\n"say \\"hi\\"" = 6\n'
    )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("plain", "'plain'"),
        ("\\frac{1}{2}", "'\\frac{1}{2}'"),
        ("C:\\path", "'C:\\path'"),
        ("", "''"),
        ("−ŷ", "'−ŷ'"),
        ("tab\there", "'tab\there'"),
        ('"quoted"', "'\"quoted\"'"),
        ("it's", '"it\'s"'),  # a basic string with nothing to escape
        ("ends with '", '"ends with \'"'),
        ("$f'(x) = \\frac{1}{2}$", "'''$f'(x) = \\frac{1}{2}$'''"),  # an apostrophe and LaTeX: still as typed
        ("\\sigma'", "'''\\sigma''''"),
        ("\\sigma''", "'''\\sigma'''''"),
        ("'", '"\'"'),
        ("'''", "\"'''\""),
        ("a''' \\b", "\"a''' \\\\b\""),  # no literal form fits: the backslash is escaped
        ("line 1\nline 2", "'''\nline 1\nline 2'''"),
        ("line 1\nline 2\n", "'''\nline 1\nline 2\n'''"),
        ("\nstarts with a newline", "'''\n\nstarts with a newline'''"),
        ("multi\nends with '", "'''\nmulti\nends with ''''"),
        ("windows\r\nline", '"windows\\u000D\\nline"'),
        ("nul\x00 and del\x7f", '"nul\\u0000 and del\\u007F"'),
        ("'''\n\\x", "\"'''\\n\\\\x\""),
    ],
)
def test_strings_take_the_most_as_typed_form_that_reads_back_exactly(value, written):
    text = dumps({"s": value})
    assert text == f"s = {written}\n"
    assert tomllib.loads(text) == {"s": value}


@pytest.mark.parametrize(
    ("data", "error", "path"),
    [
        ({"choices": [{"text": "a"}, {"text": "b", "feedback": None}]}, TypeError, "choices[1].feedback"),
        ({"config": {"sizes": (1, 2)}}, TypeError, "config.sizes"),
        ({"config": {"ids": {1, 2}}}, TypeError, "config.ids"),
        ({"x": [1, [2, object()]]}, TypeError, "x[1][1]"),
        ({"config": {1: "a"}}, TypeError, "config"),
        ({"points": math.inf}, ValueError, "points"),
        ({"a": {"b": [math.nan]}}, ValueError, "a.b[0]"),
        ({"n": 2**63}, ValueError, "n"),
        ({"opens": dt.datetime(2026, 9, 1, 10, 0)}, ValueError, "opens"),
        ({"opens": dt.datetime(2026, 9, 1, tzinfo=dt.timezone(dt.timedelta(seconds=30)))}, ValueError, "opens"),
    ],
)
def test_unsupported_values_are_refused_naming_the_key_path(data, error, path):
    with pytest.raises(error) as raised:
        dumps(data)
    assert str(raised.value).startswith(f"{path}: ")


def test_none_is_refused_with_a_hint():
    with pytest.raises(TypeError, match="leave the key out"):
        dumps({"hint": None})


# --- Round-trip properties ---

KEYS = st.text(max_size=6) | st.sampled_from(["uid", "a b", "a.b", "", "ŷ"])
TRICKY_TEXT = st.text(alphabet="ab '\"\\\n\r\t\x00=[]#+{}$−", max_size=20)
OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
SCALARS = (
    st.text()
    | TRICKY_TEXT
    | st.sampled_from(["\\frac{1}{2}", "it's", "'''", "x'", "x''", "'", "a\n", "\n", "\r\n"])
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([-0.0, 1e-300, 1e300, 0.1, 5e-324])
    | st.booleans()
    | st.dates()
    | st.datetimes(timezones=OFFSETS)
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12
)
TOP_VALUES = VALUES | st.lists(st.dictionaries(KEYS, VALUES, max_size=3), min_size=1, max_size=3)
DOCUMENTS = st.dictionaries(KEYS, TOP_VALUES, max_size=6)


@given(DOCUMENTS)
def test_dumps_reads_back_equal_and_writes_the_same_text_again(data):
    text = dumps(data)
    back = tomllib.loads(text)
    assert back == data
    assert dumps(back) == text  # also catches -0.0 turning into 0.0, which == would not
    assert dumps(data) == text


@given(DOCUMENTS, st.text() | TRICKY_TEXT)
def test_front_matter_round_trip_is_byte_stable(data, body):
    text = join_front_matter(data, body)
    matter = split_front_matter(text)
    assert matter.data == data
    assert matter.body == (body.rstrip("\n") + "\n" if body.rstrip("\n") else "")
    assert join_front_matter(matter.data, matter.body) == text


@given(TRICKY_TEXT, st.lists(TRICKY_TEXT, min_size=1, max_size=3))
def test_key_line_finds_keys_past_look_alikes_inside_strings(hint, texts):
    # '@' marks the real values; the tricky alphabet has none, so a look-alike cannot pass.
    data = {"hint": hint, "choices": [{"text": f"@{i}@\n{t}", "correct": True} for i, t in enumerate(texts)]}
    matter = split_front_matter(join_front_matter(data, "body"))
    lines = join_front_matter(data, "body").split("\n")
    assert lines[matter.key_line("hint") - 1].startswith("hint = ")
    for i in range(len(texts)):
        header, text = matter.key_line(f"choices[{i}]"), matter.key_line(f"choices[{i}].text")
        assert lines[header - 1] == "[[choices]]"
        assert text == header + 1
        assert lines[text - 1].startswith("text = ")
        assert f"@{i}@" in lines[text - 1] or lines[text] == f"@{i}@"  # a basic string, or a multi-line one
    assert matter.key_line(f"choices[{len(texts)}]") is None


# --- Front matter: lines and errors ---


def test_key_line_points_into_the_file():
    text = """\
+++
title = 'Layers'
hint = '''
text = not a key
[[choices]]
+++
'''
matrix = [
  [1, 2],
  [3, 4],
]

[config]
activation = 'relu'

[[choices]]
text = 'a'

[[choices]]
correct = true
  text   = 'b'
+++
Body
"""
    matter = split_front_matter(text)
    assert matter.data["hint"] == "text = not a key\n[[choices]]\n+++\n"
    assert matter.body == "Body\n"
    assert matter.body_line == 23
    assert matter.key_line("title") == 2
    assert matter.key_line("hint") == 3
    assert matter.key_line("matrix") == 8
    assert matter.key_line("config") == 13
    assert matter.key_line("config.activation") == 14
    assert matter.key_line("choices") == 16
    assert matter.key_line("choices[0]") == 16
    assert matter.key_line("choices[0].text") == 17
    assert matter.key_line("choices[1]") == 19
    assert matter.key_line("choices[1].text") == 21
    assert matter.key_line("choices[1].correct") == 20
    assert matter.key_line("choices[0].correct") is None
    assert matter.key_line("choices[2]") is None
    assert matter.key_line("activation") is None  # only inside [config]
    assert matter.key_line("text") is None


def test_body_keeps_everything_after_the_closing_line():
    assert split_front_matter("+++\na = 1\n+++\n\n  Body\n\n").body == "\n  Body\n\n"
    assert split_front_matter("+++\n+++").body == ""
    assert split_front_matter("+++\r\na = 1\r\n+++\r\nBody\r\n").body == "Body\r\n"


def test_join_ends_the_body_with_exactly_one_newline():
    assert join_front_matter({"a": 1}, "Body\n\n\n") == "+++\na = 1\n+++\nBody\n"
    assert join_front_matter({"a": 1}, "\n") == "+++\na = 1\n+++\n"
    assert join_front_matter({}, "") == "+++\n+++\n"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", 1, "must start with a '+++' line"),
        ("title = 'x'\n+++\n", 1, "must start with a '+++' line"),
        ("\n+++\ntitle = 'x'\n+++\n", 1, "must start with a '+++' line"),
        ("+++\ntitle = 'x'\n", 1, "no closing '+++' line"),
        ("+++\nuid = 'a'\ntitle = = 2\n+++\nBody\n", 3, "(at line 3, column 9)"),
        ("+++\nuid = 'a'\n\n\nuid = 'b'\n+++\n", 5, "(at line 5, column"),
        ("+++\na = 1\n\n[[choices]]\ntext = 'a'\ntext = 'b'\n+++\n", 6, "(at line 6, column"),
        ("+++\nuid = 'a'\nhint = '''\nnever closed\n+++\nBody\n", 5, "line 5, the closing '+++'"),
    ],
)
def test_errors_carry_the_line_in_the_file(text, line, message):
    with pytest.raises(FrontMatterError) as raised:
        split_front_matter(text)
    assert raised.value.line == line
    assert message in str(raised.value)


def test_a_long_array_is_written_one_item_per_line_and_key_line_finds_the_key_after_it():
    uids = [f"l02-question-number-{n}" for n in range(6)]
    data = {"quizzes": [{"uid": "quiz", "questions": uids, "after": 1}], "short": ["a", "b"]}
    text = join_front_matter(data, "")
    assert text == (
        "+++\nshort = ['a', 'b']\n\n[[quizzes]]\nuid = 'quiz'\nquestions = [\n"
        + "".join(f"    '{uid}',\n" for uid in uids)
        + "]\nafter = 1\n+++\n"
    )
    matter = split_front_matter(text)
    assert matter.data == data
    assert matter.key_line("quizzes[0].questions") == 6
    assert matter.key_line("quizzes[0].after") == 14

"""The GIFT and Moodle XML readers and the HTML-to-Markdown conversion (authoring/interchange/gift.py,
moodle_xml.py, markup.py): single constructs, and that no input makes them crash."""

from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from authoring.interchange.gift import parse_gift
from authoring.interchange.imported import FileUnreadable, category_title
from authoring.interchange.mapping import Skipped, map_question
from authoring.interchange.markup import to_markdown
from authoring.interchange.moodle_xml import parse_moodle_xml

GIFT_PIECES = st.sampled_from(["{", "}", "=", "~", "#", "####", "%50%", "%-100%", "::", "\\", "\\{", "->", "T",
                               "..", ":", "1.5", "$CATEGORY: a/b", "[html]", "[markdown]", "<p>", "\n", "\n\n",
                               "// c\n", " ", "x", "é"])


@given(st.lists(GIFT_PIECES | st.text(max_size=5), max_size=40).map("".join))
def test_no_gift_text_makes_the_reader_or_the_mapping_crash(text):
    for question in parse_gift(text):
        assert question.where.startswith("line ")
        assert question.error or question.qtype
        if not question.error:
            try:
                mapped = map_question(question)
            except (Skipped, ValueError):
                continue
            assert mapped.kind in {"single", "multiple", "true_false", "text", "numeric"}


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_no_bytes_make_the_xml_reader_raise_anything_but_file_unreadable(data):
    try:
        parse_moodle_xml(b"<quiz>" + data + b"</quiz>")
    except FileUnreadable:
        pass


@given(st.text(max_size=80), st.sampled_from(["html", "markdown", "plain_text", "moodle_auto_format", "odd"]),
       st.sampled_from(["100", "50", "-33.3", "x", ""]))
def test_any_texts_in_a_well_formed_question_are_read(text, text_format, fraction):
    text = "".join(c for c in text if c.isprintable() or c == "\n")  # XML 1.0 refuses most control characters
    data = (f'<quiz><question type="multichoice"><name><text>{escape(text)}</text></name>'
            f'<questiontext format="{text_format}"><text>{escape(text)}</text></questiontext>'
            f'<answer fraction="{fraction}"><text>{escape(text)}</text></answer></question></quiz>')
    [question] = parse_moodle_xml(data.encode())
    assert question.error == ("" if fraction != "x" else "fraction “x” is not a number")


def test_gift_escapes_titles_and_the_missing_word_blank():
    [question] = parse_gift("::A\\:B:: Is \\{x\\} \\= \\#1 \\~ here {=yes \\= no ~no} or not?")
    assert (question.name, question.qtype) == ("A:B", "multichoice")
    assert question.text == "Is {x} = #1 ~ here _____ or not?"
    assert [(a.text, a.fraction) for a in question.answers] == [("yes = no", 1.0), ("no", 0.0)]


def test_gift_comments_do_not_split_questions_and_lines_count_from_one():
    text = "// heading\n\n::One:: A?\n// inside\n{T}\n\n\n::Two:: B? {F}\n"
    assert [(q.where, q.name, q.text) for q in parse_gift(text)] == [("line 3", "One", "A?"), ("line 8", "Two", "B?")]


@pytest.mark.parametrize(("text", "error"), [
    ("Q {=a", "the answer block “{” is never closed with “}”"),
    ("Q =a}", "a “}” without its “{” (write \\} for the character)"),
    ("Q {=a} and {=b}", "more than one answer block (write \\{ and \\} for the characters)"),
    ("Q {#abc}", "“abc” is not a number (write 3.14, 3.14:0.01 or 1..5)"),
    ("Q {#5..1}", "the range “5..1” ends below its start"),
    ("Q {x =a ~b}", "“x” before the first answer: start each answer with = (right) or ~ (wrong)"),
    ("Q {T#a#b#c}", "a true/false answer takes at most two feedbacks (#wrong#right)"),
])
def test_gift_syntax_errors_name_the_problem(text, error):
    assert [q.error for q in parse_gift(text)] == [error]


def test_gift_numbers_ranges_and_weighted_numbers():
    [single, ranged, several] = parse_gift("A {#-2.5:0.1}\n\nB {#1..5#wide}\n\nC {#=1:0 =%50%2:1 ~3#no}")
    assert [(a.text, a.tolerance, a.fraction) for a in single.answers] == [("-2.5", 0.1, 1.0)]
    assert [(a.text, a.tolerance, a.feedback) for a in ranged.answers] == [("3.0", 2.0, "wide")]
    assert [(a.text, a.tolerance, a.fraction) for a in several.answers] == [
        ("1.0", 0.0, 1.0), ("2.0", 1.0, 0.5), ("3.0", 0.0, 0.0)]


def test_category_paths_name_their_last_part():
    assert [category_title(path) for path in ("$course$/top/Week 1/Basics", "$course$/top", "", "a//b/c")] == [
        "Basics", "", "", "c"]


def test_html_becomes_markdown_without_scripts_events_or_plugin_images():
    html = ('<p>Is \\(a &lt; b\\) <b onclick="x()">true</b>?</p><script>alert(1)</script><style>p{}</style>'
            '<p>2*3 and snake_case <img src="@@PLUGINFILE@@/a.png"> <a href="javascript:x()">link</a></p>'
            '<ul><li>one</li><li>two \\[x\\]</li></ul><!-- hidden -->')
    markdown, notes = to_markdown(html, "html")
    assert markdown == ("Is $a < b$ <b>true</b>?\n\n2\\*3 and snake\\_case <a>link</a>\n\n- one\n- two \\[x\\]")
    assert notes == ["image “a.png” left out: GIFT cannot carry files (export the questions from Moodle as Moodle "
                     "XML to bring their images)"]


def test_markdown_and_plain_text_are_kept_as_written():
    assert to_markdown("  **bold** $x_1$\n", "markdown") == ("**bold** $x_1$", [])
    assert to_markdown("a *b* c", "plain_text") == ("a *b* c", [])

"""Images inside Moodle XML: files (``@@PLUGINFILE@@`` + base64 ``<file>``) imported as course images
(authoring/interchange/embedded.py, the reader in moodle_xml.py, markup.py) and course images exported as
files, there and back; GIFT, which cannot carry files."""

import base64
import struct
import zlib
from xml.etree import ElementTree

import pytest

from authoring.interchange.services import questions_export, questions_import
from courses.models import Course, Lecture
from quizzes.images import image_store
from quizzes.models import Question, QuestionImage
from quizzes.rendering import image_references
from quizzes.tests.factories import make_question

pytestmark = pytest.mark.django_db


def png(red: int) -> bytes:
    """A valid 1×1 PNG of the colour (red, 0, 0)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes([0, red, 0, 0])))
            + chunk(b"IEND", b""))


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
       b'<script>alert(2)</script><circle cx="5" cy="5" r="4"/></svg>')


def file_element(name: str, data: bytes, path: str = "/") -> str:
    return f'<file name="{name}" path="{path}" encoding="base64">{base64.b64encode(data).decode()}</file>'


def question_xml(name: str, text: str, files: str = "", feedback: str = "", feedback_files: str = "") -> str:
    return f"""<question type="truefalse">
  <name><text>{name}</text></name>
  <questiontext format="html"><text><![CDATA[{text}]]></text>{files}</questiontext>
  <generalfeedback format="html"><text><![CDATA[{feedback}]]></text>{feedback_files}</generalfeedback>
  <answer fraction="100"><text>true</text></answer>
  <answer fraction="0"><text>false</text></answer>
</question>"""


def write(tmp_path, *questions: str, name: str = "images.xml"):
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>{"".join(questions)}</quiz>', encoding="utf-8")
    return path


def stored(course, name: str) -> bytes:
    with QuestionImage.objects.get(course=course, name=name).file.open("rb") as file:
        return file.read()


PLOT = question_xml(
    "Plot", '<p>Is it rising? <img src="@@PLUGINFILE@@/my%20plot.png?time=1" alt="A rising line"></p>',
    file_element("my plot.png", png(200)),
    '<p>See <img src="@@PLUGINFILE@@/net.svg" alt="The network"></p>', file_element("net.svg", SVG))


def test_embedded_png_and_svg_become_course_images_the_texts_show(lecture, tmp_path):
    report = questions_import(path=write(tmp_path, PLOT), lecture=lecture)
    assert not report.of("error")
    plot = Question.objects.get(quiz__lecture=lecture, uid="plot")
    assert plot.prompt == "Is it rising? ![A rising line](image:plot-my-plot.png)"
    assert plot.explanation == "See ![The network](image:plot-net.svg)"
    assert report.entries[0].images == (("plot-my-plot.png", "new"), ("plot-net.svg", "new"))
    course = lecture.course
    assert stored(course, "plot-my-plot.png") == png(200)
    svg = stored(course, "plot-net.svg")
    assert b"<circle" in svg and b"script" not in svg and b"alert" not in svg and b"onload" not in svg
    assert QuestionImage.objects.get(name="plot-net.svg").content_type == "image/svg+xml"
    known = set(course.images.values_list("name", flat=True))
    assert [name for name, _ in image_references(plot.prompt + "\n\n" + plot.explanation)] == [
        "plot-my-plot.png", "plot-net.svg"] and known == {"plot-my-plot.png", "plot-net.svg"}


def test_a_dry_run_reports_the_images_and_stores_nothing(lecture, tmp_path):
    report = questions_import(path=write(tmp_path, PLOT), lecture=lecture, dry_run=True)
    assert report.entries[0].images == (("plot-my-plot.png", "new"), ("plot-net.svg", "new"))
    assert "    image “plot-net.svg”: new" in report.lines()
    assert not QuestionImage.objects.exists() and not Question.objects.exists()


def test_importing_again_finds_the_same_images_and_replaces_a_changed_one(lecture, tmp_path):
    questions_import(path=write(tmp_path, PLOT), lecture=lecture)
    again = questions_import(path=write(tmp_path, PLOT), lecture=lecture)
    assert [(e.status, e.images) for e in again.entries] == [
        ("unchanged", (("plot-my-plot.png", "unchanged"), ("plot-net.svg", "unchanged")))]
    changed = PLOT.replace(base64.b64encode(png(200)).decode(), base64.b64encode(png(7)).decode())
    report = questions_import(path=write(tmp_path, changed), lecture=lecture)
    assert [(e.status, e.images) for e in report.entries] == [
        ("updated", (("plot-my-plot.png", "replaced"), ("plot-net.svg", "unchanged")))]
    assert stored(lecture.course, "plot-my-plot.png") == png(7)
    assert QuestionImage.objects.count() == 2 and Question.objects.count() == 1


def test_two_questions_files_of_one_name_stay_apart(lecture, tmp_path):
    first = question_xml("First", '<img src="@@PLUGINFILE@@/image.png" alt="one">', file_element("image.png", png(1)))
    second = question_xml("Second", '<img src="@@PLUGINFILE@@/image.png" alt="two">', file_element("image.png", png(2)))
    questions_import(path=write(tmp_path, first, second), lecture=lecture)
    prompts = dict(Question.objects.values_list("uid", "prompt"))
    assert prompts == {"first": "![one](image:first-image.png)", "second": "![two](image:second-image.png)"}
    assert (stored(lecture.course, "first-image.png"), stored(lecture.course, "second-image.png")) == (png(1), png(2))


def test_an_image_without_alt_text_gets_its_file_name_and_a_warning(lecture, tmp_path):
    bare = question_xml("Bare", '<p><img src="@@PLUGINFILE@@/sub%20dir/a_b.png"></p>',
                        file_element("a_b.png", png(3), path="/sub dir/"))
    report = questions_import(path=write(tmp_path, bare), lecture=lecture)
    assert Question.objects.get().prompt == "![a\\_b.png](image:bare-sub-dir-a_b.png)"
    assert report.entries[0].messages == (
        "image “sub dir/a_b.png” has no text saying what it shows (alt text): its file name is used, write what "
        "it shows",)
    assert stored(lecture.course, "bare-sub-dir-a_b.png") == png(3)


@pytest.mark.parametrize("files, problem", [
    ("", "the image “plot.png” is shown but the question has no file of that name (<file name=… path=…>)"),
    ('<file name="plot.png" path="/" encoding="base64">not*base64!</file>',
     "the file “plot.png” is not valid base64: the file is damaged"),
    (file_element("plot.png", b"%PDF-1.4 a document"),
     "image “plot.png”: “plot.png” is not a PNG, JPEG, GIF, WebP or SVG image (judged from its content, not its "
     "name)."),
    (file_element("plot.png", b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1">'),
     "image “plot.png”: “plot.png” is not an SVG image we accept"),
])
def test_an_image_that_cannot_be_stored_is_an_error_and_nothing_is_imported(lecture, tmp_path, files, problem):
    broken = question_xml("Broken", '<img src="@@PLUGINFILE@@/plot.png" alt="A plot">', files)
    report = questions_import(path=write(tmp_path, PLOT, broken), lecture=lecture)
    errors = report.of("error")
    assert [e.where for e in errors] == ["question 2 “Broken”"]
    assert len(errors[0].messages) == 1 and errors[0].messages[0].startswith(problem)
    assert not report.written and not Question.objects.exists() and not QuestionImage.objects.exists()


def test_a_file_over_the_size_limit_is_an_error_naming_the_limit(lecture, tmp_path, settings):
    settings.QUIZSERVER_IMAGE_MAX_BYTES = len(png(1)) - 1
    report = questions_import(path=write(tmp_path, PLOT), lecture=lecture)
    limit = len(png(1)) - 1
    assert report.of("error")[0].messages == (
        f"image “my plot.png”: “my-plot.png” has {len(png(1))} bytes; images may have at most {limit}.",
        f"image “net.svg”: “net.svg” has {len(SVG)} bytes; images may have at most {limit}.")
    assert not QuestionImage.objects.exists()


def test_gift_cannot_carry_files_so_its_images_are_left_out_with_a_warning(lecture, tmp_path):
    path = tmp_path / "plot.gift"
    path.write_text('::Plot::[html]<img src="@@PLUGINFILE@@/plot.png" alt="A plot"> Rising? {T}\n', encoding="utf-8")
    report = questions_import(path=path, lecture=lecture)
    assert Question.objects.get().prompt == "Rising?"
    assert report.entries[0].messages == ("image “plot.png” left out: GIFT cannot carry files (export the questions "
                                          "from Moodle as Moodle XML to bring their images)",)


# --- export -------------------------------------------------------------------------------------------------


@pytest.fixture
def illustrated(quiz):
    """A question showing a PNG in its prompt and an SVG in a choice's feedback, and one showing the PNG too."""
    course = quiz.lecture.course
    image_store(course=course, name="relu.png", data=png(90))
    image_store(course=course, name="net.svg", data=SVG)
    question = make_question(quiz=quiz, position=1, uid="relu", title="ReLU", kind="single",
                             prompt="Which is it?\n\n![The ReLU: zero, then the identity](image:relu.png)")
    question.choices.create(position=1, text="ReLU", is_correct=True, feedback="Yes: ![a net](image:net.svg)")
    question.choices.create(position=2, text="tanh")
    make_question(quiz=quiz, position=2, uid="again", title="Again", kind="true_false", true_false_answer=True,
                  prompt="Rising? ![The ReLU](image:relu.png) ![gone](image:missing.png)")
    return course


def test_moodle_xml_carries_each_image_in_the_text_that_shows_it(illustrated):
    report = questions_export(course=illustrated, file_format="moodle")
    root = ElementTree.fromstring(report.content)
    relu = root.find("question[@type='multichoice']")
    assert relu is not None
    text = relu.find("questiontext")
    assert '<img alt="The ReLU: zero, then the identity" src="@@PLUGINFILE@@/relu.png">' in text.findtext("text")
    assert [(f.get("name"), f.get("path"), f.get("encoding"), base64.b64decode(f.text)) for f in text.iter("file")] == [
        ("relu.png", "/", "base64", png(90))]
    feedback = relu.find("answer/feedback")
    assert [f.get("name") for f in feedback.findall("file")] == ["net.svg"]
    assert b"<circle" in base64.b64decode(feedback.find("file").text)
    assert relu.find("generalfeedback/file") is None
    messages = {entry.uid: entry.messages for entry in report.entries}
    assert messages["relu"] == ()
    assert messages["again"] == ("image “missing.png”: the course has no image of that name, so Moodle shows a "
                                 "broken image",)


def test_images_go_out_and_come_back_with_the_same_bytes(illustrated, tmp_path):
    Question.objects.filter(uid="again").update(prompt="Rising? ![The ReLU](image:relu.png)")
    (tmp_path / "out.xml").write_bytes(questions_export(course=illustrated, file_format="moodle").content)
    fresh = Course.objects.create(slug="fresh", title="Fresh", enrolment_code="FRESH")
    lecture = Lecture.objects.create(course=fresh, number=1, title="All", slug="all")
    back = questions_import(path=tmp_path / "out.xml", lecture=lecture)
    assert [(e.uid, e.status, e.images) for e in back.entries] == [
        ("relu", "created", (("relu-relu.png", "new"), ("relu-net.svg", "new"))),
        ("again", "created", (("again-relu.png", "new"),))]
    relu = Question.objects.get(quiz__lecture=lecture, uid="relu")
    assert relu.prompt == "Which is it?\n\n![The ReLU: zero, then the identity](image:relu-relu.png)"
    assert relu.choices.get(position=1).feedback == "Yes: ![a net](image:relu-net.svg)"
    assert stored(fresh, "relu-relu.png") == stored(illustrated, "relu.png") == png(90)
    assert stored(fresh, "relu-net.svg") == stored(illustrated, "net.svg")
    assert stored(fresh, "again-relu.png") == png(90)


def test_importing_the_export_into_its_own_course_changes_nothing(illustrated, tmp_path):
    Question.objects.filter(uid="again").delete()
    (tmp_path / "out.xml").write_bytes(questions_export(course=illustrated, file_format="moodle").content)
    lecture = illustrated.lectures.get()
    report = questions_import(path=tmp_path / "out.xml", lecture=lecture, quiz_title="Self-check")
    assert [(e.uid, e.status, e.images) for e in report.entries] == [("relu", "unchanged", ())]  # its own images
    assert set(illustrated.images.values_list("name", flat=True)) == {"relu.png", "net.svg"}


def test_gift_export_says_it_cannot_carry_the_images(illustrated):
    report = questions_export(course=illustrated, file_format="gift")
    text = report.content.decode()
    assert '<img alt\\="The ReLU\\: zero, then the identity" src\\="@@PLUGINFILE@@/relu.png">' in text
    relu = next(entry for entry in report.entries if entry.uid == "relu")
    assert relu.status == "converted"
    assert relu.messages[-1] == (
        "GIFT cannot carry files: the images “relu.png”, “net.svg” are written as <img src=\"@@PLUGINFILE@@/…\"> "
        "without their files, so Moodle shows their text instead (Moodle XML carries the images)")
    again = next(entry for entry in report.entries if entry.uid == "again")
    assert again.messages[-1] == (
        "GIFT cannot carry files: the image “relu.png” is written as <img src=\"@@PLUGINFILE@@/…\"> without its "
        "file, so Moodle shows its text instead (Moodle XML carries the image)")

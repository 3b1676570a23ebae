"""The results export people can read (api/exports.py) and its XLSX twin (api/xlsx.py): titles beside
ids, answers and correct answers as text, messages of named mistakes, rounded seconds and points,
the same cells in CSV and XLSX, and who may download them."""

import csv
import io
import zipfile
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.exports import EXPORT_COLUMNS
from api.tests.api_world import COMPUTED_ANSWER, NUMERIC_ANSWER, answer, make_world
from api.xlsx import CONTENT_TYPE, column_name, xlsx_chunks
from quizzes.models import Choice, Submission, Variant
from quizzes.tests.factories import make_question

NS = {"s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def world(db, course, other_course):
    world = make_world(course, other_course)
    single, alice = world.single, world.alice
    wrong = single.choices.get(is_correct=False)
    wrong.text = "=SUM(A1) *is*   wrong"  # Markdown and a formula: both must come out harmless and readable
    wrong.save()
    world.picked = answer(alice, single, raw=str(wrong.id), value=[wrong.id], score=0.0)
    multiple = make_question(quiz=world.dl_quiz, position=4, kind="multiple", prompt="Pick all.", title="Many")
    a, b, c = (Choice.objects.create(question=multiple, position=n, text=text, is_correct=text != "gamma")
               for n, text in enumerate(("alpha", "beta", "gamma"), start=1))
    world.multiple, world.choices = multiple, (a, b, c)
    world.many = answer(alice, multiple, raw=f"{a.id},{c.id}", value=[a.id, c.id], score=0.30000000000000004)
    world.factor = answer(alice, world.computed, raw="5", value=5.0, score=0.0, mistake="forgot_factor_2")
    # alice opens the quiz at 10:00:00 (its variants are made) and answers at 10:00:50.564181, then
    # 12.34 s later, then after a long break (counted as 10 minutes).
    start = timezone.now().replace(microsecond=0) - timedelta(hours=2)
    Variant.objects.filter(student=alice, question__quiz=world.dl_quiz).update(created_at=start)
    for submission, after in ((world.picked, 50.564181), (world.many, 62.904181), (world.factor, 4000)):
        Submission.objects.filter(pk=submission.pk).update(created_at=start + timedelta(seconds=after))
    Submission.objects.filter(variant__student=alice).exclude(
        pk__in=[world.picked.pk, world.many.pk, world.factor.pk]).update(created_at=start - timedelta(days=1))
    return world


@pytest.fixture
def staff(client, world):
    client.force_login(world.ingrid)
    return client


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response).decode())))


def sheet_rows(data: bytes) -> list[list[str]]:
    """The first sheet's cells as text, placed by their references (an empty cell is "")."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"} <= names
        root = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    rows = []
    for number, row in enumerate(root.iterfind("s:sheetData/s:row", NS), start=1):
        assert row.get("r") == str(number)
        cells = {}
        for c in row.iterfind("s:c", NS):
            ref = c.get("r")
            assert ref.endswith(str(number))
            if c.get("t") == "inlineStr":
                cells[ref[: -len(str(number))]] = "".join(t.text or "" for t in c.iterfind("s:is/s:t", NS))
            else:
                cells[ref[: -len(str(number))]] = c.find("s:v", NS).text
        width = max((i + 1 for i in range(200) if column_name(i) in cells), default=0)
        rows.append([cells.get(column_name(i), "") for i in range(width)])
    return rows


def by_id(rows: list[list[str]]) -> dict[int, dict[str, str]]:
    """Rows by id, as header -> cell (a sheet's row ends at its last filled cell: the rest are "")."""
    header = rows[0]
    return {int(row[0]): dict(zip(header, row + [""] * (len(header) - len(row)), strict=True)) for row in rows[1:]}


class TestReadableColumns:
    def test_titles_stand_beside_their_ids(self, staff, world):
        rows = by_id(csv_rows(staff.get("/api/v1/courses/dl/results/?format=csv")))
        row = rows[world.many.id]
        assert (row["course"], row["course_title"]) == ("dl", "Deep Learning")
        assert (row["lecture"], row["lecture_title"]) == ("2", "Computation Graphs")
        assert (row["quiz"], row["quiz_title"]) == (str(world.dl_quiz.id), "Self-check")
        assert (row["question"], row["question_title"], row["kind"]) == (str(world.multiple.id), "Many", "multiple")
        untitled = rows[world.picked.id]
        assert untitled["question_title"] == (world.single.title or "Question 1")

    def test_choices_are_their_texts_and_the_correct_answer_is_given(self, staff, world):
        rows = by_id(csv_rows(staff.get("/api/v1/courses/dl/results/?format=csv")))
        many = rows[world.many.id]
        assert (many["answer"], many["correct_answer"]) == ("alpha; gamma", "alpha; beta")
        assert many["raw"] == ",".join(str(c.id) for c in (world.choices[0], world.choices[2]))  # ids stay
        picked = rows[world.picked.id]
        # Markdown source on one line; a leading "=" gets the apostrophe a spreadsheet needs
        assert (picked["answer"], picked["correct_answer"]) == ("'=SUM(A1) *is* wrong", "right one")
        numeric = rows[world.submissions["alice_numeric"].id]
        assert (numeric["answer"], numeric["correct_answer"]) == ("7", str(NUMERIC_ANSWER))
        computed = rows[world.factor.id]
        assert (computed["answer"], computed["correct_answer"]) == ("5", str(COMPUTED_ANSWER))

    def test_named_mistakes_come_with_their_messages(self, staff, world):
        rows = by_id(csv_rows(staff.get("/api/v1/courses/dl/results/?format=csv")))
        row = rows[world.factor.id]
        assert row["mistake"] == "forgot_factor_2"
        assert row["mistake_message"].startswith("It looks like you dropped the factor 2 of the squared error")
        assert rows[world.many.id]["mistake_message"] == ""

    def test_steps_come_last_and_are_empty_for_questions_without_steps(self, staff, world):
        rows = csv_rows(staff.get("/api/v1/courses/dl/results/?format=csv"))
        assert rows[0][-1] == "steps" and rows[0][:-1] == list(EXPORT_COLUMNS)[:-1]  # the other columns stay put
        assert len(rows) > 5 and all(row[-1] == "" for row in rows[1:])  # multi-step rows: api/tests/test_api_steps.py

    def test_seconds_and_points_are_rounded(self, staff, world):
        rows = by_id(csv_rows(staff.get("/api/v1/courses/dl/results/?format=csv")))
        assert rows[world.picked.id]["seconds"] == "50.6"  # since the variants were made
        assert rows[world.many.id]["seconds"] == "12.3"  # since the previous answer in the quiz
        assert rows[world.factor.id]["seconds"] == "600.0"  # a long break counts as 10 minutes
        assert (rows[world.many.id]["score"], rows[world.many.id]["points"]) == ("0.3", "0.3")
        assert rows[world.many.id]["max_points"] == "1.0"

    def test_lookups_are_loaded_once_not_per_row(self, staff, world):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                response = staff.get("/api/v1/courses/dl/results/?format=csv")
                rows = csv_rows(response)
            return len(captured), len(rows)

        few, few_rows = queries()
        for n in range(30):
            answer(world.bob, world.multiple, raw=str(world.choices[n % 3].id), value=[world.choices[n % 3].id],
                   score=0.0, number=n + 1)
        many, many_rows = queries()
        assert many_rows == few_rows + 30
        assert many == few


class TestXlsx:
    def test_the_workbook_has_the_csv_cells(self, staff, world):
        text = csv_rows(staff.get("/api/v1/courses/dl/results/?format=csv"))
        response = staff.get("/api/v1/courses/dl/results/?format=xlsx")
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == CONTENT_TYPE
        assert response["Content-Disposition"] == 'attachment; filename="dl-results.xlsx"'
        sheet = sheet_rows(content(response))
        assert sheet[0] == list(EXPORT_COLUMNS)
        assert len(sheet) == len(text) > 5
        assert [row + [""] * (len(text[0]) - len(row)) for row in sheet] == text

    def test_filters_apply_to_the_workbook(self, staff, world):
        query = f"format=xlsx&quiz={world.dl_quiz.id}&student={world.alice.id}"
        response = staff.get(f"/api/v1/courses/dl/results/?{query}")
        rows = by_id(sheet_rows(content(response)))
        assert set(rows) == {s.id for s in Submission.objects.filter(variant__student=world.alice)}

    def test_every_list_answers_a_workbook(self, staff, world):
        for url in ("/api/v1/courses/dl/progress/", f"/api/v1/courses/dl/statistics/?quiz={world.dl_quiz.id}"):
            joiner = "&" if "?" in url else "?"
            text = csv_rows(staff.get(f"{url}{joiner}format=csv"))
            response = staff.get(f"{url}{joiner}format=xlsx")
            assert response.status_code == 200 and response["Content-Type"] == CONTENT_TYPE
            sheet = sheet_rows(content(response))
            assert [row + [""] * (len(text[0]) - len(row)) for row in sheet] == text, url

    def test_progress_seconds_are_rounded(self, staff, world):
        rows = csv_rows(staff.get("/api/v1/courses/dl/progress/?format=csv"))
        seconds = [row[rows[0].index("seconds")] for row in rows[1:]]
        assert seconds and all(len(s.partition(".")[2]) <= 1 for s in seconds), seconds
        assert any(float(s) > 0 for s in seconds)

    @pytest.mark.parametrize("format", ["csv", "xlsx"])
    def test_only_the_course_staff_may_download(self, client, world, format):
        url = f"/api/v1/courses/dl/results/?format={format}"
        assert client.get(url).status_code == 403  # anonymous
        client.force_login(world.alice)  # a student of the course
        assert client.get(url).status_code == 403
        client.force_login(world.tom)  # a TA of another course
        assert client.get(url).status_code == 404


class TestWriter:
    def test_text_is_escaped_and_forbidden_characters_dropped(self):
        rows = [("<b>&amp;</b> \"q\" 'a'", "bell\x07 nul\x00 ok\tx", 1, 2.5, None, "", "\ud800lone", True)]
        sheet = sheet_rows(b"".join(xlsx_chunks(list("abcdefgh"), rows)))
        assert sheet[1] == ["<b>&amp;</b> \"q\" 'a'", "bell nul ok\tx", "1", "2.5", "", "", "lone", "True"]

    def test_chunks_hold_a_bounded_number_of_rows(self):
        chunks = list(xlsx_chunks(["n"], ((i,) for i in range(2500)), chunk_rows=1000))
        assert len(chunks) == 5  # the parts before the rows, three chunks of rows, the end of the archive
        assert [row[0] for row in sheet_rows(b"".join(chunks))[1:]] == [str(i) for i in range(2500)]

    def test_columns_are_named_like_a_spreadsheet(self):
        assert [column_name(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]

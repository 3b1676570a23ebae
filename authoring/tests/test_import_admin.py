"""The admin's "Import questions" pages (authoring/import_admin.py, authoring/pending_imports.py): upload,
dry-run preview, confirm; who may import where; the kept file's life."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from authoring.pending_imports import FOLDER, PER_SESSION, SESSION_KEY, pending_import_get, pending_imports_clean
from courses.models import Enrolment, Lecture
from quizserver.tests.html_figures import extract, extract_all
from quizzes.models import Question, Quiz

UPLOAD = reverse("admin:quizzes_quiz_import")
CONFIRM = reverse("admin:quizzes_quiz_import_confirm")
GIFT = """$CATEGORY: $course$/top/Week 1/Basics

::Capital:: What is the capital of France? {=Paris#Right! ~London ~Berlin}

::Tomb:: Grant is buried in Grant's tomb. {F#No one is buried there.#Right.}

An instruction without answers.
"""
BROKEN = "::Fine:: Fine. {=yes ~no}\n\n::Broken:: Never closed. {=yes ~no\n"


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="quizzes", codename__in=codenames))


ALL = ("add_question", "change_question", "add_quiz", "change_quiz", "view_quiz")


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Each test its own storage, so ``kept_files`` sees only its files."""
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def importer(client, instructor):
    grant(instructor, *ALL)
    client.force_login(instructor)
    return client


def upload(client, name: str, content: str | bytes, lecture, quiz=None, url=UPLOAD):
    data = content.encode() if isinstance(content, str) else content
    return client.post(url, {"file": SimpleUploadedFile(name, data), "lecture": lecture.pk,
                             "quiz": quiz.pk if quiz else ""})


def rows(page: str) -> list[tuple[str, ...]]:
    """(where, title, kind, quiz, outcome) of each row of the preview table."""
    body = extract(r"(?s)<tbody>(.*?)</tbody>", page)
    found = []
    for row in extract_all(r"<tr[^>]*>(.*?)</tr>", body.replace("\n", " ")):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        found.append(tuple(html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells[:5]))
    return found


def kept_files() -> list[str]:
    try:
        return default_storage.listdir(FOLDER)[1]
    except FileNotFoundError:
        return []


class TestPreviewThenConfirm:
    def test_preview_lists_each_question_and_creates_nothing_then_confirm_creates_them(self, importer, lecture):
        response = upload(importer, "week1.gift", GIFT, lecture)
        page = response.content.decode()
        assert response.status_code == 200
        assert rows(page) == [
            ("line 3", "Capital", "Single choice", "Basics (new)", "created"),
            ("line 5", "Tomb", "True / false", "Basics (new)", "created"),
            ("line 7", "—", "—", "—", "skipped"),
        ]
        assert "the feedback for true and for false is added to the explanation" in page  # a warning
        assert "nothing has been imported yet" in page
        assert not Question.objects.exists() and not Quiz.objects.filter(title="Basics").exists()
        token = extract(r'<input type="hidden" name="token" value="([^"]+)">', page)

        response = importer.post(CONFIRM, {"token": token})
        basics = Quiz.objects.get(lecture=lecture, title="Basics")
        assert response.status_code == 302 and response["Location"] == reverse("admin:quizzes_quiz_change",
                                                                              args=[basics.pk])
        assert list(basics.questions.order_by("position").values_list("title", "kind")) == [
            ("Capital", "single"), ("Tomb", "true_false")]
        assert not basics.is_published
        message = html.unescape(extract(r'<li class="success">(.*?)</li>', importer.get(response["Location"])
                                        .content.decode()))
        assert message.startswith("Imported “week1.gift” into L02 Computation Graphs: 2 created, 0 updated, "
                                  "0 unchanged, 1 skipped. Quiz: ")
        assert f'href="{reverse("admin:quizzes_quiz_change", args=[basics.pk])}">Basics</a> (new, not published)' \
            in message
        assert kept_files() == [] and importer.session[SESSION_KEY] == {}

    def test_a_used_token_imports_nothing_again(self, importer, lecture, quiz):
        token = extract(r'name="token" value="([^"]+)"', upload(importer, "week1.gift", GIFT, lecture, quiz)
                        .content.decode())
        assert importer.post(CONFIRM, {"token": token}).status_code == 302
        assert quiz.questions.count() == 2
        response = importer.post(CONFIRM, {"token": token}, follow=True)
        assert response.redirect_chain == [(UPLOAD, 302)]
        assert "That file is no longer kept" in response.content.decode()
        assert quiz.questions.count() == 2

    def test_the_quiz_page_links_to_the_import_with_its_quiz_picked(self, importer, lecture, quiz):
        page = importer.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
        link = html.unescape(extract(r'<a href="([^"]+)">Import questions</a>', page))
        assert link == f"{UPLOAD}?quiz={quiz.pk}"
        form = importer.get(link).content.decode()
        changelist = importer.get(reverse("admin:quizzes_quiz_changelist")).content.decode()
        assert extract(r'<a href="([^"]+)">Import questions</a>', changelist) == UPLOAD
        for name, picked in (("quiz", quiz), ("lecture", lecture)):
            menu = extract(rf'(?s)<select name="{name}".*?</select>', form)
            assert extract(r'<option value="(\d+)" selected>', menu) == str(picked.pk)

    def test_the_course_page_links_to_the_import_of_its_lectures(self, importer, instructor, course, lecture):
        instructor.user_permissions.add(Permission.objects.get(codename="change_course"))
        page = importer.get(reverse("admin:courses_course_change", args=[course.pk])).content.decode()
        link = html.unescape(extract(r'<a href="([^"]+)">Import questions</a>', page))
        assert link == f"{UPLOAD}?course={course.pk}"
        assert "L02 Computation Graphs" in importer.get(link).content.decode()

    def test_questions_go_into_the_picked_quiz_and_an_import_again_updates_them(self, importer, lecture, quiz):
        token = extract(r'name="token" value="([^"]+)"', upload(importer, "week1.gift", GIFT, lecture, quiz)
                        .content.decode())
        importer.post(CONFIRM, {"token": token})
        assert list(quiz.questions.values_list("title", flat=True)) == ["Capital", "Tomb"]
        changed = GIFT.replace("~Berlin", "~Madrid")
        page = upload(importer, "week1.gift", changed, lecture, quiz).content.decode()
        assert [row[4] for row in rows(page)] == ["updated", "unchanged", "skipped"]
        assert 'value="Import 1 question"' in page


class TestRefused:
    def test_a_file_with_an_error_shows_it_and_cannot_be_confirmed(self, importer, lecture, quiz):
        page = upload(importer, "broken.gift", BROKEN, lecture, quiz).content.decode()
        assert rows(page) == [("line 1", "Fine", "Single choice", "Self-check", "created"),
                              ("line 3", "Broken", "—", "—", "error")]
        assert "Error: the answer block “{” is never closed with “}”" in html.unescape(re.sub(r"</?strong>", "", page))
        assert "The file has an error (below): nothing can be imported." in page
        assert 'name="token"' not in page
        (token,) = importer.session[SESSION_KEY]  # confirming anyway, as a hand-made request would
        response = importer.post(CONFIRM, {"token": token})
        assert response.status_code == 200 and "Nothing was imported." in response.content.decode()
        assert not Question.objects.exists()

    def test_an_unreadable_file_is_one_error(self, importer, lecture, quiz):
        page = upload(importer, "export.xml", "<quiz><question></quiz>", lecture, quiz).content.decode()
        assert rows(page) == [("file", "—", "—", "—", "error")]
        assert "not well-formed XML" in page and "The file cannot be read" in page

    def test_an_oversize_file_is_refused_before_anything_is_kept(self, importer, lecture, quiz, settings):
        settings.QUIZSERVER_IMPORT_MAX_BYTES = 1000
        assert upload(importer, "fits.gift", GIFT + "// x\n" * ((1000 - len(GIFT)) // 5), lecture, quiz) \
            .status_code == 200 and len(kept_files()) == 1
        response = upload(importer, "big.gift", GIFT + "// x\n" * 200, lecture, quiz)
        page = html.unescape(response.content.decode())
        assert response.status_code == 200
        assert f"“big.gift” has {len(GIFT) + 1000:,} bytes; a file may have at most 1,000 bytes. Split it" in page
        assert "at most 1,000 bytes." in extract(r'id="id_file_helptext"><div>(.*?)</div>', page)
        assert 'aria-invalid="true"' in page and len(kept_files()) == 1 and len(importer.session[SESSION_KEY]) == 1

    def test_another_extension_is_refused_naming_the_formats(self, importer, lecture, quiz):
        page = html.unescape(upload(importer, "notes.docx", GIFT, lecture, quiz).content.decode())
        assert "“notes.docx”: the extension names the format: .xml (Moodle XML), .gift or .txt (GIFT)." in page
        assert kept_files() == []

    def test_a_quiz_of_another_lecture_is_refused(self, importer, course, lecture, quiz):
        other = Lecture.objects.create(course=course, number=3, title="Optimisers", slug="optimisers")
        page = html.unescape(upload(importer, "week1.gift", GIFT, other, quiz).content.decode())
        assert "“Self-check” is a quiz of L02 Computation Graphs, not of L03 Optimisers" in page
        assert kept_files() == []

    def test_categories_need_the_permission_to_add_quizzes(self, client, instructor, lecture):
        grant(instructor, "add_question", "change_question")
        client.force_login(instructor)
        page = upload(client, "week1.gift", GIFT, lecture).content.decode()
        assert "You may not add quizzes: pick one of the lecture&#x27;s quizzes." in page
        assert not Quiz.objects.filter(title="Basics").exists()


class TestWhoMay:
    @pytest.fixture
    def other_ta(self, make_user, other_course):
        ta = make_user("tom", is_staff=True)
        Enrolment.objects.create(user=ta, course=other_course, role=Enrolment.Role.TA)
        Lecture.objects.create(course=other_course, number=1, title="Trees", slug="trees")
        grant(ta, *ALL)
        client = Client()
        client.force_login(ta)
        return client

    def test_a_ta_of_another_course_cannot_import_into_this_one(self, other_ta, course, lecture, quiz):
        assert other_ta.get(f"{UPLOAD}?quiz={quiz.pk}").status_code == 404
        assert other_ta.get(f"{UPLOAD}?course={course.pk}").status_code == 404
        form = other_ta.get(UPLOAD).content.decode()
        assert "L01 Trees" in form and "Computation Graphs" not in form and "Self-check" not in form
        page = upload(other_ta, "week1.gift", GIFT, lecture, quiz).content.decode()
        assert "Select a valid choice" in page
        assert kept_files() == [] and not Question.objects.exists()

    def test_confirming_after_losing_the_course_is_404(self, make_user, course, lecture, quiz):
        ta = make_user("tina", is_staff=True)
        enrolment = Enrolment.objects.create(user=ta, course=course, role=Enrolment.Role.TA)
        grant(ta, *ALL)
        client = Client()
        client.force_login(ta)
        token = extract(r'name="token" value="([^"]+)"', upload(client, "w.gift", GIFT, lecture, quiz).content.decode())
        enrolment.delete()
        assert client.post(CONFIRM, {"token": token}).status_code == 404
        assert not Question.objects.exists()

    def test_a_token_of_another_session_is_not_found(self, importer, other_ta, lecture, quiz):
        token = extract(r'name="token" value="([^"]+)"', upload(importer, "w.gift", GIFT, lecture, quiz)
                        .content.decode())
        response = other_ta.post(CONFIRM, {"token": token})
        assert response.status_code == 302 and response["Location"] == UPLOAD
        assert not Question.objects.exists()

    def test_staff_without_the_question_permissions_get_403(self, client, instructor, lecture, quiz):
        grant(instructor, "change_quiz", "view_quiz")
        client.force_login(instructor)
        assert client.get(UPLOAD).status_code == 403
        assert upload(client, "w.gift", GIFT, lecture, quiz).status_code == 403
        page = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk])).content.decode()
        assert "Import questions" not in page

    def test_someone_not_staff_is_sent_to_the_login(self, student_client, lecture, quiz):
        for response in (student_client.get(UPLOAD), upload(student_client, "w.gift", GIFT, lecture, quiz),
                         student_client.post(CONFIRM, {"token": "x"})):
            assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
        assert not Question.objects.exists()

    def test_a_post_without_the_csrf_token_is_refused(self, instructor, lecture, quiz):
        grant(instructor, *ALL)
        client = Client(enforce_csrf_checks=True)
        client.force_login(instructor)
        assert upload(client, "w.gift", GIFT, lecture, quiz).status_code == 403
        assert kept_files() == []


def test_kept_files_older_than_a_day_are_deleted(importer, lecture, quiz):
    upload(importer, "w.gift", GIFT, lecture, quiz)
    (token,) = importer.session[SESSION_KEY]
    assert pending_imports_clean() == 0 and len(kept_files()) == 1
    assert pending_imports_clean(timezone.now() + timedelta(days=1, minutes=1)) == 1
    assert kept_files() == [] and pending_import_get(session=importer.session, token=token) is None


def test_a_session_keeps_its_last_five_files(importer, lecture, quiz):
    tokens = [extract(r'name="token" value="([^"]+)"', upload(importer, f"w{i}.gift", GIFT, lecture, quiz)
                      .content.decode()) for i in range(PER_SESSION + 1)]
    assert list(importer.session[SESSION_KEY]) == tokens[1:]
    assert sorted(name.split(".")[0] for name in kept_files()) == sorted(tokens[1:])
    assert importer.post(CONFIRM, {"token": tokens[0]})["Location"] == UPLOAD and not Question.objects.exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_with_the_keyboard_only(page, live_server, instructor, lecture, quiz, tmp_path):
    """390 px wide: nothing wider than the screen (each row a card); every step by keyboard."""
    grant(instructor, *ALL)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ingrid")
    page.fill("#id_password", "pw-ingrid")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.goto(f"{live_server.url}{UPLOAD}?quiz={quiz.pk}")
    (tmp_path / "week1.gift").write_text(GIFT)
    page.set_input_files("#id_file", str(tmp_path / "week1.gift"))
    page.focus("#id_file")
    focused = []
    for _ in range(3):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("document.activeElement.id || document.activeElement.value"))
    assert focused == ["id_lecture", "id_quiz", "Preview the import"]
    page.keyboard.press("Enter")
    page.wait_for_selector("table.import-preview")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    outcomes = page.locator(".import-status")
    assert outcomes.all_inner_texts() == ["created", "created", "skipped"]
    label = outcomes.first.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == '"Outcome: "'  # each cell names its column (the header row is hidden on a phone)
    assert all(box["x"] + box["width"] <= 390 for box in (o.bounding_box() for o in outcomes.all()))
    for _ in range(40):  # from the top of the page, Tab reaches the confirm button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "Import 2 questions":
            break
    else:
        pytest.fail("Tab never reached the confirm button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{reverse('admin:quizzes_quiz_change', args=[quiz.pk])}")
    assert "2 created" in page.locator(".messagelist").inner_text()
    assert list(quiz.questions.values_list("title", flat=True)) == ["Capital", "Tomb"]

"""Images of a course's questions: upload checks, storing, ``image:`` references, serving, the admin."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import Enrolment
from quizzes.fragments import question_fragments
from quizzes.images import ImageRefused, image_checked, image_kind, image_store, images_resolved
from quizzes.models import Question, QuestionImage
from quizzes.states import question_states
from quizzes.tests.factories import make_question

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
GIF = b"GIF89a" + b"\x00" * 40
WEBP = b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 40
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect width="1"/></svg>'


@pytest.mark.parametrize("data, kind", [(PNG, "png"), (JPEG, "jpeg"), (GIF, "gif"), (WEBP, "webp"),
                                        (b"\xef\xbb\xbf\n<svg/>", "svg"), (b"%PDF-1.4", None),
                                        (b"MZ\x90\x00", None), (b"", None)])
def test_kind_is_found_from_the_bytes(data, kind):
    assert image_kind(data) == kind


def test_the_name_does_not_decide_the_type():
    assert image_checked(PNG, "plot.svg").content_type == "image/png"
    with pytest.raises(ImageRefused, match="“plot.png” is not a PNG, JPEG, GIF, WebP or SVG image"):
        image_checked(b"#!/bin/sh\necho hi", "plot.png")


def test_html_posing_as_svg_is_refused():
    with pytest.raises(ImageRefused, match="“x.svg” is not an SVG image we accept: the root element is not <svg>"):
        image_checked(b"<html><script>alert(1)</script></html>", "x.svg")


def test_size_limit(settings):
    settings.QUIZSERVER_IMAGE_MAX_BYTES = 100
    assert image_checked(PNG, "a.png").data == PNG
    with pytest.raises(ImageRefused, match="“b.png” has 101 bytes; images may have at most 100"):
        image_checked(PNG + b"\x00" * (101 - len(PNG)), "b.png")


@pytest.mark.parametrize("name", ["../etc/passwd", ".hidden.png", "a b.png", "x" * 101, "plot.png/x", ""])
def test_bad_names_are_refused(name):
    with pytest.raises(ImageRefused, match="an image name has letters"):
        image_checked(PNG, name)


def test_svg_is_stored_cleaned(course):
    image, status = image_store(course=course, name="net.svg", data=SVG)
    assert status == "created" and image.content_type == "image/svg+xml"
    stored = image.file.read()
    assert b"<rect" in stored and b"alert" not in stored and b"onload" not in stored
    assert image.size == len(stored)


def test_storing_again_changes_nothing_and_new_bytes_replace_the_file(course, django_capture_on_commit_callbacks):
    first, status = image_store(course=course, name="plot.png", data=PNG)
    assert status == "created"
    assert image_store(course=course, name="plot.png", data=PNG)[1] == "unchanged"
    old_file = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        second, status = image_store(course=course, name="plot.png", data=GIF)
    assert status == "updated" and second.pk == first.pk and second.content_type == "image/gif"
    assert not first.file.storage.exists(old_file) and second.file.storage.exists(second.file.name)
    assert QuestionImage.objects.count() == 1


def test_images_resolved_puts_in_the_url_with_the_hash(course, other_course):
    image, _ = image_store(course=course, name="plot.png", data=PNG)
    image_store(course=other_course, name="plot.png", data=GIF)
    html = '<p><img alt="a &gt; b" src="image:plot.png"> <img alt="x" src="image:missing.png"></p>'
    resolved = images_resolved([html, "<p>none</p>"], course.id)
    url = f"/courses/dl/images/{image.sha256[:16]}/plot.png"
    assert resolved == [f'<p><img alt="a &gt; b" src="{url}"> <img alt="x" src="image:missing.png"></p>',
                        "<p>none</p>"]


def test_no_query_without_images(course, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert images_resolved(["<p>text image:plot.png</p>"], course.id) == ["<p>text image:plot.png</p>"]


def test_quiz_page_shows_the_course_image(student_client, student, quiz, course, rf):
    image, _ = image_store(course=course, name="relu.png", data=PNG)
    make_question(quiz=quiz, kind="true_false", prompt="Is this ReLU?\n\n![A ReLU plot](image:relu.png)",
                  true_false_answer=True)
    page = student_client.get(quiz.get_absolute_url()).content.decode()
    found = re.search(r'<img alt="A ReLU plot" src="([^"]+)"', page)
    assert found, page
    assert found[1] == image.get_absolute_url()
    response = student_client.get(found[1])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG


def test_a_replaced_image_shows_at_once_although_the_fragment_is_cached(student, quiz, course, rf):
    make_question(quiz=quiz, kind="true_false", prompt="![plot](image:relu.png)", true_false_answer=True)
    urls = []
    for data in (PNG, GIF):
        image, _ = image_store(course=course, name="relu.png", data=data)
        request = rf.get("/")
        request.user = student
        states = question_states(student=student, quiz=quiz, html=False)
        urls.append(image.get_absolute_url())
        assert urls[-1] in question_fragments(request=request, quiz=quiz, course=course, states=states)[0]
    assert urls[0] != urls[1]


class TestServing:
    @pytest.fixture
    def image(self, course):
        return image_store(course=course, name="net.svg", data=SVG)[0]

    def test_headers(self, student_client, image):
        response = student_client.get(image.get_absolute_url())
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'; sandbox"
        assert response["Cache-Control"] == "private, max-age=31536000, immutable"
        assert b"alert" not in b"".join(response.streaming_content)

    def test_another_hash_or_name_is_not_found(self, student_client, image):
        assert student_client.get(f"/courses/dl/images/{'0' * 16}/net.svg").status_code == 404
        assert student_client.get(f"/courses/dl/images/{image.sha256[:16]}/other.svg").status_code == 404

    def test_members_only(self, client, make_user, image, other_course):
        url = image.get_absolute_url()
        assert client.get(url).status_code == 302  # to the login page
        outsider = make_user("bob")
        Enrolment.objects.create(user=outsider, course=other_course, role=Enrolment.Role.INSTRUCTOR)
        client.force_login(outsider)
        assert client.get(url).status_code == 403
        client.force_login(make_user("root", is_superuser=True, is_staff=True))
        assert client.get(url).status_code == 200

    def test_post_is_refused(self, student_client, image):
        assert student_client.post(image.get_absolute_url()).status_code == 405


class TestSaveChecks:
    def question(self, quiz, prompt):
        return Question(quiz=quiz, kind="true_false", prompt=prompt, settings={"true_false_answer": True})

    def test_known_image_with_alt_text_saves(self, quiz, course):
        image_store(course=course, name="relu.png", data=PNG)
        self.question(quiz, "![A ReLU](image:relu.png)").full_clean()

    def test_missing_alt_text(self, quiz, course):
        image_store(course=course, name="relu.png", data=PNG)
        with pytest.raises(ValidationError) as error:
            self.question(quiz, "![](image:relu.png)").full_clean()
        assert error.value.message_dict["prompt"] == [
            "Image “relu.png” needs a text saying what it shows: ![the text](image:relu.png)."]

    def test_unknown_image(self, quiz, other_course):
        image_store(course=other_course, name="relu.png", data=PNG)  # another course's does not count
        question = self.question(quiz, "Look: ![ReLU](image:relu.png)")
        question.hint = "![again](image:relu.png)"
        with pytest.raises(ValidationError) as error:
            question.full_clean()
        message = "Image “relu.png”: the course has no image of that name (upload it first)."
        assert error.value.message_dict["prompt"] == [message] and error.value.message_dict["hint"] == [message]


class TestAdmin:
    def test_upload_lists_the_snippet(self, author, course):
        upload = SimpleUploadedFile("ReLU-plot.png", PNG, content_type="text/plain")
        response = author.post(reverse("admin:quizzes_questionimage_add"),
                               {"course": course.pk, "name": "", "upload": upload})
        assert response.status_code == 302, response.content.decode()
        image = QuestionImage.objects.get()
        assert (image.name, image.content_type, image.size) == ("ReLU-plot.png", "image/png", len(PNG))
        assert image.uploaded_by.username == "ingrid"
        listing = author.get(reverse("admin:quizzes_questionimage_changelist")).content.decode()
        assert "![Describe what the image shows](image:ReLU-plot.png)" in listing

    def test_refused_upload_says_why(self, author, course):
        upload = SimpleUploadedFile("evil.svg", b"<html><script>alert(1)</script></html>")
        response = author.post(reverse("admin:quizzes_questionimage_add"),
                               {"course": course.pk, "name": "", "upload": upload})
        assert response.status_code == 200
        assert "is not an SVG image we accept" in response.content.decode()
        assert not QuestionImage.objects.exists()

    def test_only_staffed_courses(self, author, other_course):
        image_store(course=other_course, name="theirs.png", data=PNG)
        listing = author.get(reverse("admin:quizzes_questionimage_changelist")).content.decode()
        assert "theirs.png" not in listing
        upload = SimpleUploadedFile("x.png", PNG)
        response = author.post(reverse("admin:quizzes_questionimage_add"),
                               {"course": other_course.pk, "upload": upload})
        assert response.status_code == 200 and QuestionImage.objects.count() == 1


class TestRendering:
    def test_image_reference_is_kept_for_resolving(self):
        from quizzes.rendering import image_references, render_markdown

        text = '![A "plot"](image:relu.png) [link](image:relu.png) ![x](image:../secret) ![y](data:image/png;base64,AA)'
        html = render_markdown(text)
        assert '<img alt="A &quot;plot&quot;" src="image:relu.png">' in html
        assert 'href="image:' not in html and "secret" not in html and "data:" not in html
        assert image_references(text) == [("relu.png", 'A "plot"')]

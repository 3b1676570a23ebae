"""Request and upload size limits: a huge body is a 413 before anything reads it, Django's form
limits hold within it, and the answer views refuse files; ordinary answers pass."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from quizzes.models import Submission
from quizzes.views import FILES_REFUSED

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}
MB = 1024 * 1024


def answer_url(question) -> str:
    return reverse("quizzes:answer", args=[question.quiz.lecture.course.slug, question.quiz_id, question.id])


def right_choice(question) -> dict:
    return {"choice": question.choices.get(is_correct=True).id, "nonce": "n1"}


@pytest.mark.django_db
class TestAnswerEndpoints:
    def test_a_20_mb_upload_is_refused_with_413_and_stores_nothing(self, student_client, single):
        upload = SimpleUploadedFile("big.bin", b"\0" * (20 * MB))
        response = student_client.post(answer_url(single), {**right_choice(single), "file": upload}, **FETCH)
        assert response.status_code == 413
        assert "too large" in response.content.decode()
        assert Submission.objects.count() == 0

    def test_a_20_mb_form_field_is_refused_with_413(self, student_client, numeric):
        response = student_client.post(answer_url(numeric), {"answer": "1" * (20 * MB)})
        assert response.status_code == 413
        assert Submission.objects.count() == 0

    def test_a_small_file_is_refused_with_400_and_a_message(self, student_client, single):
        upload = SimpleUploadedFile("answer.txt", b"2")
        response = student_client.post(answer_url(single), {**right_choice(single), "file": upload}, **FETCH)
        assert response.status_code == 400
        assert response.content.decode() == FILES_REFUSED
        assert Submission.objects.count() == 0

    def test_form_data_above_djangos_memory_limit_is_a_400(self, student_client, numeric):
        response = student_client.post(answer_url(numeric), {"answer": "1", "padding": "x" * (300 * 1024)})
        assert response.status_code == 400
        assert Submission.objects.count() == 0

    def test_an_ordinary_answer_is_stored_and_graded(self, student_client, single):
        response = student_client.post(answer_url(single), right_choice(single), **FETCH)
        assert response.status_code == 200 and "Correct." in response.content.decode()
        assert Submission.objects.get().score == 1


@pytest.mark.django_db
def test_the_limit_is_a_setting(student_client, numeric):
    with override_settings(QUIZSERVER_MAX_REQUEST_BYTES=100):
        refused = student_client.post(answer_url(numeric), {"answer": "0.25", "padding": "x" * 200})
    assert refused.status_code == 413
    assert "at most 100" in refused.content.decode()
    accepted = student_client.post(answer_url(numeric), {"answer": "0.25", "padding": "x" * 200})
    assert accepted.status_code == 302 and Submission.objects.count() == 1


@pytest.mark.django_db
def test_the_api_answers_413_in_json(client):
    response = client.generic("POST", "/api/v1/courses/", b"x" * (2 * MB), content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["request"][0]

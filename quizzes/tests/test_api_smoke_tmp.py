import json
import pytest
from quizzes.models import Submission, Variant

@pytest.mark.django_db
def test_smoke(client, student, instructor, single, numeric):
    v = Variant.objects.create(student=student, question=numeric, seed=5)
    Submission.objects.create(variant=v, nonce="a", raw="=1+2", value=3.0, status="graded", score=0, points=0, try_number=1)
    client.force_login(student)
    for url in ["/api/v1/courses/", "/api/v1/courses/dl/", "/api/v1/lectures/", "/api/v1/quizzes/", "/api/v1/questions/",
                "/api/v1/me/submissions/", "/api/v1/me/progress/?course=dl", "/api/v1/courses/dl/results/",
                "/api/v1/questions/?format=csv", "/api/v1/me/submissions/?format=xml", "/api/v1/me/submissions/?created_after=x",
                "/api/v1/me/submissions/?cursor=zzz"]:
        r = client.get(url)
        print(url, r.status_code, r.content[:400])
    client.force_login(instructor)
    for url in ["/api/v1/questions/", "/api/v1/courses/dl/results/", "/api/v1/courses/dl/results/?format=csv",
                "/api/v1/courses/dl/results/?lecture=2&student=%d" % student.id, "/api/v1/courses/dl/results/?lecture=3&quiz=999",
                f"/api/v1/courses/dl/statistics/?quiz={single.quiz_id}", "/api/v1/courses/dl/progress/", "/api/v1/courses/dl/progress/?format=csv",
                "/api/v1/courses/dl/results/?question=99999999999999999999999", "/api/docs/", "/api/token/"]:
        r = client.get(url)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        print(url, r.status_code, body[:600])

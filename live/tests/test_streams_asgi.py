"""The event stream under ASGI (the production path, uvicorn): Django's AsyncClient makes an
ASGIRequest, so the stream is the async generator, woken by an in-process notice."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from django.urls import reverse

from live import services
from quizzes.models import Choice
from quizzes.tests.factories import make_question

pytestmark = pytest.mark.django_db(transaction=True)


def state_of(chunk: bytes) -> dict:
    text = chunk.decode()
    assert text.startswith("event: state\ndata: "), text
    return json.loads(text.split("data: ", 1)[1])


def test_the_async_stream_sends_the_current_state_then_the_opened_question(student, course, instructor, quiz):
    question = make_question(quiz=quiz, kind="single", prompt="Pick the zero-centred one")
    Choice.objects.create(question=question, position=1, text="tanh", is_correct=True)
    Choice.objects.create(question=question, position=2, text="sigmoid")
    session = services.session_start(course=course, by=instructor, questions=[question], title="Async")

    async def listen():
        client = AsyncClient()
        await client.aforce_login(student)
        response = await client.get(reverse("live:events", args=[session.code]))
        assert response["Content-Type"] == "text/event-stream"
        chunks = aiter(response.streaming_content)
        assert (await anext(chunks)).startswith(b"retry:")
        first = state_of(await anext(chunks))
        await sync_to_async(services.session_control)(session_id=session.id, action="open")
        second = state_of(await asyncio.wait_for(anext(chunks), timeout=5))
        await chunks.aclose()  # the phone goes away: the generator leaves its waiter
        return first, second

    first, second = asyncio.run(listen())
    assert first["phase"] == "waiting" and second["phase"] == "open" and second["v"] == first["v"] + 1
    assert "Pick the zero-centred one" in second["html"]  # pushed with the notice: no request per phone

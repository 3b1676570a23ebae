"""Per-student variant seeds, made on the server and never taken from the client."""

import hashlib
import hmac

from django.conf import settings


def variant_seed(*, student_id: int, question_id: int, number: int) -> int:
    """A 63-bit seed: HMAC-SHA256 of the secret key over (student, question, variant number).

    Deterministic (the same variant always gets the same seed) and unguessable without the
    secret key, so a student cannot predict another student's or a future variant.
    """
    message = f"variant:{student_id}:{question_id}:{number}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1

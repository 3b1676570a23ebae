"""A question file uploaded in the admin, kept between its preview (a dry run) and the import it confirms.

The bytes go to the default storage (shared by every web host, never served: only the images' view
serves files) as ``question-imports/<token><extension>``, under a random token; the staff member's
session maps the token to the file's name and the lecture and quiz it was previewed for. Confirming
therefore imports exactly the bytes that were previewed, into the target that was previewed: the
client sends only the token, which works only in the session that uploaded it. Files older than
``KEEP`` are deleted whenever a new file is kept; a session holds at most ``PER_SESSION`` of them.
"""

import secrets
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from authoring.interchange.services import FORMATS, ImportReport, questions_import
from courses.models import Lecture
from quizzes.models import Quiz

FOLDER = "question-imports"
SESSION_KEY = "authoring.question_imports"
KEEP = timedelta(days=1)
PER_SESSION = 5


@dataclass(frozen=True)
class PendingImport:
    """An uploaded file waiting for its confirmation: ``name`` as uploaded (shown, and the default quiz
    title), ``stored`` its name in the default storage."""

    token: str
    name: str
    stored: str
    lecture_id: int
    quiz_id: int | None


def pending_import_keep(*, session, name: str, data: bytes, lecture: Lecture, quiz: Quiz | None) -> PendingImport:
    """Store ``data`` (the file called ``name``, whose extension is one of ``FORMATS``) under a new token
    and remember it in ``session``, for ``lecture`` and, if given, ``quiz``; forgets the session's oldest
    beyond ``PER_SESSION`` and deletes every stored file older than ``KEEP``."""
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"not a question file: {name}")
    pending_imports_clean()
    token = secrets.token_urlsafe(18)
    stored = default_storage.save(f"{FOLDER}/{token}{suffix}", ContentFile(data))
    pending = PendingImport(token, name, stored, lecture.pk, quiz.pk if quiz else None)
    kept = {**session.get(SESSION_KEY, {}), token: asdict(pending)}
    for old in list(kept)[:-PER_SESSION]:
        default_storage.delete(kept.pop(old)["stored"])
    session[SESSION_KEY] = kept
    return pending


def pending_import_get(*, session, token: str) -> PendingImport | None:
    """The file ``session`` kept under ``token``; None when it holds no such token or the file is gone."""
    found = session.get(SESSION_KEY, {}).get(token) if isinstance(token, str) else None
    if found is None or not default_storage.exists(found["stored"]):
        return None
    return PendingImport(**found)


def pending_import_run(*, pending: PendingImport, lecture: Lecture, quiz: Quiz | None, dry_run: bool) -> ImportReport:
    """``questions_import`` of the kept file into ``lecture`` (all into ``quiz`` when given), read from a
    private temporary copy that has the uploaded file's name (so its stem names the default quiz)."""
    with tempfile.TemporaryDirectory(prefix="question-import-") as folder:
        name = Path(pending.name).name
        if name in ("", ".", ".."):
            name = "upload" + Path(pending.stored).suffix
        path = Path(folder) / name
        with default_storage.open(pending.stored, "rb") as stored:
            path.write_bytes(stored.read())
        return questions_import(path=path, lecture=lecture, quiz_title=quiz.title if quiz else "", dry_run=dry_run)


def pending_import_discard(*, session, pending: PendingImport) -> None:
    """Forget ``pending`` in ``session`` and delete its file."""
    kept = dict(session.get(SESSION_KEY, {}))
    kept.pop(pending.token, None)
    session[SESSION_KEY] = kept
    default_storage.delete(pending.stored)


def pending_imports_clean(now: datetime | None = None) -> int:
    """Delete the kept files older than ``KEEP`` (of any session; abandoned previews); how many."""
    try:
        names = default_storage.listdir(FOLDER)[1]
    except FileNotFoundError:  # nothing kept yet
        return 0
    cutoff = (now or timezone.now()) - KEEP
    deleted = 0
    for name in names:
        stored = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(stored) < cutoff:
            default_storage.delete(stored)
            deleted += 1
    return deleted

"""Images of a course's questions: what an upload may be, storing it, and turning ``image:NAME`` into URLs.

An upload is checked from its bytes, never its name (``image_checked``): PNG, JPEG, GIF and WebP by
their magic numbers, SVG by parsing it (``quizzes.svg_cleaning``, which keeps drawing only and
refuses DOCTYPEs); at most ``QUIZSERVER_IMAGE_MAX_BYTES``. ``image_store`` is the one way in (admin,
course files, Moodle import): same bytes under the same name change nothing, so imports can run again.

Rendering stays course-free and cacheable: the renderer keeps ``<img src="image:NAME">`` in its HTML,
and ``images_resolved`` puts in the URLs of the course's images after every cache (one query, and
only when some HTML has such an image). The URL carries the image's content hash
(``/courses/<course>/images/<hash>/<name>``), so it may be cached for a year; a page cached with an
older hash is redirected to the current image by ``quizzes.views.image``.
"""

import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from quizzes.models import QuestionImage
from quizzes.rendering import IMAGE_NAME_PATTERN, IMAGE_SCHEME
from quizzes.svg_cleaning import SvgRefused, svg_cleaned

CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
                 "svg": "image/svg+xml"}
KINDS = "PNG, JPEG, GIF, WebP or SVG"
# nh3 writes every attribute as name="value" (a '"' inside as &quot;), so this finds exactly the src.
_IMAGE_SRC = re.compile(rf'(<img(?:\s+[\w:-]+="[^"]*")*?\s+src=")image:({IMAGE_NAME_PATTERN})(")')
_IMAGE_NAME = re.compile(rf"\A{IMAGE_NAME_PATTERN}\Z")


class ImageRefused(ValueError):
    """The bytes are not an image we keep; the message says why, naming the file."""


@dataclass(frozen=True)
class CheckedImage:
    data: bytes  # as stored: an SVG cleaned, anything else as uploaded
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def image_kind(data: bytes) -> str | None:
    """"png", "jpeg", "gif", "webp", "svg" (only a guess: it still has to parse) or None, from the bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "svg"
    return None


def image_checked(data: bytes, name: str) -> CheckedImage:
    """``data`` as it will be stored, or ``ImageRefused`` with a message that names ``name``."""
    limit = settings.QUIZSERVER_IMAGE_MAX_BYTES
    if not _IMAGE_NAME.match(name):
        raise ImageRefused(f"“{name}”: an image name has letters, digits, '.', '-' and '_' only, "
                           "starts with a letter or digit and has at most 100 characters.")
    if len(data) > limit:
        raise ImageRefused(f"“{name}” has {len(data)} bytes; images may have at most {limit}.")
    kind = image_kind(data)
    if kind is None:
        raise ImageRefused(f"“{name}” is not a {KINDS} image (judged from its content, not its name).")
    if kind == "svg":
        try:
            data = svg_cleaned(data)
        except SvgRefused as error:
            raise ImageRefused(f"“{name}” is not an SVG image we accept: {error}.") from None
        if len(data) > limit:
            raise ImageRefused(f"“{name}” has {len(data)} bytes; images may have at most {limit}.")
    return CheckedImage(data=data, content_type=CONTENT_TYPES[kind])


@transaction.atomic
def image_store(*, course, name: str, data: bytes, uploaded_by=None) -> tuple[QuestionImage, str]:
    """Store ``data`` as the course's image ``name``: "created", "updated" (new bytes; the old file is
    deleted once the transaction commits) or "unchanged". Raises ``ImageRefused``."""
    checked = image_checked(data, name)
    image = QuestionImage.objects.select_for_update().filter(course=course, name=name).first()
    if image is not None and image.sha256 == checked.sha256:
        return image, "unchanged"
    status = "created" if image is None else "updated"
    image = image or QuestionImage(course=course, name=name)
    image.uploaded_by = uploaded_by
    image_fill(image, checked)
    image.save()
    return image, status


def image_fill(image: QuestionImage, checked: CheckedImage) -> None:
    """Write ``checked`` to the storage as ``image``'s file and set its fields; the caller saves
    ``image`` in a transaction, once it has committed the file it replaced is deleted."""
    old = image.file.name if image.file else None
    image.content_type, image.size, image.sha256 = checked.content_type, len(checked.data), checked.sha256
    image.file.save(image.name, ContentFile(checked.data), save=False)
    if old and old != image.file.name:
        storage = image.file.storage
        transaction.on_commit(lambda: storage.delete(old))


def image_url(course_slug: str, sha256: str, name: str) -> str:
    return reverse("quizzes:image", args=[course_slug, sha256[:16], name])


def image_names(course_id: int) -> set[str]:
    """The names of the course's images (one query)."""
    return set(QuestionImage.objects.filter(course_id=course_id).values_list("name", flat=True))


def images_resolved(htmls: list[str], course_id: int) -> list[str]:
    """``htmls`` (rendered author Markdown, cached or not) with each ``<img src="image:NAME">`` pointing
    at the course's image NAME. One query, none when no HTML has such an image. An unknown name stays
    as it is: the browser shows the alt text (saving the question reports it)."""
    marker = f'src="{IMAGE_SCHEME}'
    if not any(marker in html for html in htmls):
        return htmls
    urls = {name: image_url(slug, sha256, name) for name, sha256, slug in QuestionImage.objects.filter(
        course_id=course_id).values_list("name", "sha256", "course__slug")}

    def resolve(m: re.Match[str]) -> str:
        url = urls.get(m[2])
        return f"{m[1]}{url}{m[3]}" if url else m[0]

    return [_IMAGE_SRC.sub(resolve, html) if marker in html else html for html in htmls]

"""Images carried inside Moodle XML: which course image an imported file becomes, and the files an export carries.

Import. Each file a question's texts show (``EmbeddedFile``, read by ``moodle_xml``; its references are
``![alt](image:NAME)`` with NAME its file name made valid) is checked as an upload is
(``quizzes.images.image_checked``: the type from the content, the size limit, an SVG cleaned) and becomes
a course image (course images share one namespace, Moodle's files belong to one question):

- the course's image NAME when that has exactly these bytes (a file an export of this course carried):
  the question shows it, nothing is stored;
- else ``<uid>-NAME`` (NAME as it is when it already starts with ``<uid>-``: a file exported from a question
  imported earlier), so two questions' ``image.png`` never overwrite each other, and importing the same
  file again finds the same name: "new", "replaced" (other bytes: the image is replaced, as an upload under
  the same name is) or "unchanged".

The references are renamed to it (``references_renamed``). A file that is refused is a problem of its
question: an image that cannot be stored never vanishes without the report saying so.

Export. ``ExportImages`` gives the course images a question's HTML shows (``@@PLUGINFILE@@/NAME``) as
``EmbeddedFile``s for the writer, each file read once.
"""

import re
from dataclasses import dataclass, field

from authoring.interchange.imported import EmbeddedFile, ImportedQuestion
from authoring.interchange.mapping import Mapped
from authoring.interchange.markup import IMAGE_NAME_LENGTH, shortened
from quizzes.images import ImageRefused, image_checked
from quizzes.models import QuestionImage
from quizzes.rendering import IMAGE_NAME_PATTERN

REFERENCE = re.compile(rf"(\]\(image:)({IMAGE_NAME_PATTERN})(\))")  # as markup.plugin_image writes it


@dataclass(frozen=True)
class PlannedImage:
    """A course image an import stores (``image_store``): its name, the file's bytes, and "new",
    "replaced" or "unchanged" compared with the course's image of that name."""

    name: str
    data: bytes
    status: str


@dataclass
class ImagePlan:
    """What becomes of a question's files: its references' new names, the images to store, the problems."""

    renames: dict[str, str] = field(default_factory=dict)
    images: list[PlannedImage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unresolved: set[str] = field(default_factory=set)  # names of the files with problems (still referenced)


def images_planned(item: ImportedQuestion, uid: str, stored: dict[str, str]) -> ImagePlan:
    """The course images ``item``'s files become for the question ``uid`` (see the module docstring);
    ``stored``: the course's images, name -> sha256, with the names planned so far in this import added
    (so two questions of one file never plan one name for different bytes). Reads only."""
    plan = ImagePlan(problems=list(item.file_problems))
    for file in item.files:
        if file.data is None:  # missing or broken: in file_problems
            plan.unresolved.add(file.name)
            continue
        try:
            checked = image_checked(file.data, file.name)
        except ImageRefused as error:
            plan.problems.append(f"image “{file.path}”: {error}")
            plan.unresolved.add(file.name)
            continue
        if stored.get(file.name) == checked.sha256:
            plan.renames[file.name] = file.name
            continue
        name = file.name if file.name.startswith(f"{uid}-") else shortened(f"{uid}-{file.name}", IMAGE_NAME_LENGTH)
        before = stored.get(name)
        status = "new" if before is None else "unchanged" if before == checked.sha256 else "replaced"
        plan.renames[file.name] = name
        plan.images.append(PlannedImage(name, file.data, status))
        stored[name] = checked.sha256
    return plan


def references_renamed(mapped: Mapped, renames: dict[str, str]) -> None:
    """Every ``![alt](image:NAME)`` of ``mapped``'s texts (prompt, hint, explanation, choices, texts in its
    settings such as expected wrong answers' feedback) with NAME in ``renames`` pointing at its new name."""
    if not any(old != new for old, new in renames.items()):
        return

    def rename(value):
        if isinstance(value, str):
            return REFERENCE.sub(lambda m: m[1] + renames.get(m[2], m[2]) + m[3], value)
        if isinstance(value, list):
            return [rename(part) for part in value]
        if isinstance(value, tuple):
            return tuple(rename(part) for part in value)
        if isinstance(value, dict):
            return {key: rename(part) for key, part in value.items()}
        return value

    mapped.prompt, mapped.hint, mapped.explanation = rename([mapped.prompt, mapped.hint, mapped.explanation])
    mapped.choices = rename(mapped.choices)
    mapped.settings = rename(mapped.settings)


class ExportImages:
    """The images of one course an export carries: one query for the names, each file read once."""

    def __init__(self, course):
        self.images = {image.name: image for image in QuestionImage.objects.filter(course=course)}
        self.read: dict[str, bytes] = {}

    def files(self, names: list[str]) -> tuple[list[EmbeddedFile], list[str]]:
        """The course images ``names`` as files, and a warning for each name the course has no image of."""
        files, missing = [], []
        for name in names:
            image = self.images.get(name)
            if image is None:
                missing.append(f"image “{name}”: the course has no image of that name, so Moodle shows a broken "
                               "image")
                continue
            if name not in self.read:
                with image.file.open("rb") as opened:
                    self.read[name] = opened.read()
            files.append(EmbeddedFile(name, self.read[name], name))
        return files, missing

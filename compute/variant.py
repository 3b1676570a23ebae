"""What a generator produces: one variant of a computed question, as plain JSON-able data."""

from dataclasses import asdict, dataclass, field

Answer = float | list  # a scalar, a vector (list of floats) or a matrix (list of lists)


@dataclass(frozen=True)
class Step:
    """One step of a worked solution: a short title and a Markdown body with LaTeX math."""

    title: str
    body: str


@dataclass(frozen=True)
class Mistake:
    """A named wrong answer students typically get, with its value for this variant.

    ``name`` is a stable slug (statistics count it), ``message`` is shown to a student whose
    answer matches ``value`` (same shape as the answer).
    """

    name: str
    message: str
    value: Answer


@dataclass(frozen=True)
class Solved:
    """What ``Generator.solve`` returns for one variant.

    ``values`` are the named numbers of the computation (forward values, gradients, ...) from
    which ``Generator.explain`` writes the worked solution; ``mistakes`` maps a mistake name
    (a key of ``Generator.mistakes``) to its value for this variant.
    """

    answer: Answer
    values: dict = field(default_factory=dict)
    mistakes: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    """One student's variant: everything is float64-exact, finite and JSON-serializable.

    ``params`` are exactly the numbers shown to the student (and used to compute the answer);
    ``prompt`` is the generator's default Markdown prompt with ``{{ name }}`` placeholders for
    the params; ``diagram`` is an accessible inline SVG or ``None``.
    """

    generator: str
    seed: int
    config: dict
    params: dict
    answer: Answer
    tolerance: dict
    steps: list[Step]
    mistakes: list[Mistake]
    values: dict
    prompt: str
    diagram: str | None = None

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Variant":
        data = dict(data)
        data["steps"] = [Step(**s) for s in data["steps"]]
        data["mistakes"] = [Mistake(**m) for m in data["mistakes"]]
        return cls(**data)

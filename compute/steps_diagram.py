"""The diagram of a multi-step question: its steps as a chain of boxes, arrows from the steps each is
computed from, every box coloured by its mark, and the first wrong step highlighted (plain Python).

Drawn top to bottom, so it fits a phone: one box per asked step ("1  hidden pre-activation"),
an arrow from each asked step it depends on (through steps not asked); an arrow between neighbours
is straight, a longer one bends out to the right. A mark's colour comes from the page's CSS
(classes ``step-right``, ``step-carried``, ``step-wrong``, ``step-blank``, ``step-shown``), and each
box also says its mark in words, so colour is never the only cue.
"""

from collections.abc import Mapping, Sequence

from compute import svg
from compute.steps import asked_sources

WIDTH, BOX_H, GAP, LEFT, BOX_W = 340, 40, 14, 8, 270
WORDS = {"right": "right", "carried": "right for your values", "wrong": "wrong", "blank": "not answered",
         "shown": "shown", "": ""}


def asked_inputs(names: Sequence[str], depends: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """For each asked step, the asked steps it is computed from, through steps that are not asked."""
    return {name: asked_sources(name, set(names), depends) for name in names}


def steps_diagram(steps: Sequence[tuple[str, str]], depends: Mapping[str, Sequence[str]],
                  marks: Mapping[str, str] | None = None, first_wrong: str = "") -> str:
    """An SVG of the asked ``steps`` (name, title in plain words) in order; ``marks`` step -> mark
    (empty: not graded yet); ``first_wrong`` the step to highlight."""
    marks = marks or {}
    row = {name: index for index, (name, _) in enumerate(steps)}
    inputs = asked_inputs([name for name, _ in steps], depends)
    height = len(steps) * (BOX_H + GAP) + GAP

    def top(index: int) -> float:
        return GAP + index * (BOX_H + GAP)

    body = []
    for index, (name, _) in enumerate(steps):  # arrows first, boxes drawn over them
        for source in inputs[name]:
            start, end = row[source], index
            x_mid = LEFT + BOX_W / 2
            if end - start == 1:
                body.append(svg.line(x_mid, top(start) + BOX_H, x_mid, top(end) - 2, cls="step-edge"))
            else:
                bend = LEFT + BOX_W + 12 + 6 * (end - start)
                points = [(LEFT + BOX_W, top(start) + BOX_H / 2), (bend, top(start) + BOX_H / 2),
                          (bend, top(end) + BOX_H / 2), (LEFT + BOX_W + 2, top(end) + BOX_H / 2)]
                body.append(svg.polyline(points, cls="step-edge", fill="none"))
    for index, (name, title) in enumerate(steps):
        mark = marks.get(name, "")
        highlight = name == first_wrong
        cls = f"step-box step-{mark or 'open'}" + (" step-first-wrong" if highlight else "")
        label = f"{index + 1}  {title}"
        words = "first wrong" if highlight else WORDS.get(mark, mark)
        tooltip = f"Step {index + 1}, {title}" + (f": {words}" if words else "")
        body.append(svg.group([
            svg.rect(LEFT, top(index), BOX_W, BOX_H, rx=6, cls=cls),
            svg.text(LEFT + 10, top(index) + 17, label, cls="step-label"),
            svg.text(LEFT + 10, top(index) + 33, words, cls="step-mark"),
        ], title=tooltip))
    described = "; ".join(f"step {i + 1}, {title}: {WORDS.get(marks.get(name, ''), '') or 'open'}"
                          + (" (the first wrong step)" if name == first_wrong else "")
                          for i, (name, title) in enumerate(steps))
    return svg.drawing(WIDTH, height, body, title="The steps of this question and what each is computed from",
                       desc=described, cls="steps-diagram")

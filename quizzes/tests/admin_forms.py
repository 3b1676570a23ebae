"""The admin's question form as a browser posts it, for tests of the admin.

``question_form(quiz, kind="numeric", numeric_answer=...)`` gives every field of the add form
with an empty choice formset; ``with_choices`` fills the formset. Post them to ``ADD``.
"""

from django.urls import reverse

ADD = reverse("admin:quizzes_question_add")


def question_form(quiz, **fields) -> dict:
    """The add form's fields for a single-choice question of ``quiz``, then ``fields`` over them."""
    data = {
        "quiz": quiz.id,
        "position": 1,
        "kind": "single",
        "title": "",
        "points": 1,
        "prompt": "Pick $x$",
        "hint": "",
        "explanation": "",
        "single_mode": "right_or_wrong",
        "multiple_mode": "all_or_nothing",
        "true_false_answer": "unknown",
        "numeric_answer": "",
        "numeric_mode": "tolerance",
        "rtol": 0.01,
        "atol": 0.001,
        "digits": "",
        "text_answers": "",
        "text_mode": "case_insensitive",
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    return data


def with_choices(data: dict, *rows: tuple) -> dict:
    """``data`` with the choice formset filled from (text, is correct) or (text, is correct, fraction as
    typed) rows, in order."""
    data["choices-TOTAL_FORMS"] = len(rows)
    for index, (text, correct, *fraction) in enumerate(rows):
        data[f"choices-{index}-position"] = index + 1
        data[f"choices-{index}-text"] = text
        data[f"choices-{index}-feedback"] = ""
        data[f"choices-{index}-fraction"] = fraction[0] if fraction else ""
        if correct:
            data[f"choices-{index}-is_correct"] = "on"
    return data

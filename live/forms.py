"""The staff's form to start a live session: from a quiz, or from hand-picked questions of the course."""

from django import forms
from django.utils import timezone

from live.models import LiveSession
from quizzes.models import Question, Quiz


class QuizField(forms.ModelChoiceField):
    def label_from_instance(self, quiz) -> str:
        return f"L{quiz.lecture.number:02d} · {quiz.title}"


class LiveStartForm(forms.Form):
    SOURCES = (("quiz", "All questions of a quiz"), ("pick", "Hand-picked questions"))

    source = forms.ChoiceField(choices=SOURCES, initial="quiz", widget=forms.RadioSelect, label="Questions")
    quiz = QuizField(queryset=Quiz.objects.none(), required=False, empty_label="— choose a quiz —")
    questions = forms.ModelMultipleChoiceField(queryset=Question.objects.none(), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(max_length=200, required=False,
                            help_text="Shown on the projector and the phones. Empty: the quiz's title.")
    variants = forms.ChoiceField(choices=LiveSession.Variants.choices, initial=LiveSession.Variants.OWN,
                                 widget=forms.RadioSelect, label="Computed questions")

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.fields["quiz"].queryset = (Quiz.objects.filter(lecture__course=course).select_related("lecture")
                                        .order_by("lecture__number", "position", "id"))
        self.fields["questions"].queryset = self.course_questions()

    def course_questions(self):
        """The course's active questions, in course order (lecture, quiz, position): the checkboxes' order,
        and the session's when questions are hand-picked."""
        return (Question.objects.active().filter(quiz__lecture__course=self.course).select_related("quiz__lecture")
                .order_by("quiz__lecture__number", "quiz__position", "quiz_id", "position", "id"))

    def clean(self):
        data = super().clean()
        if data.get("source") == "quiz":
            quiz = data.get("quiz")
            if quiz is None:
                self.add_error("quiz", "Choose the quiz whose questions to ask.")
            elif not quiz.questions.active().exists():
                self.add_error("quiz", f"“{quiz.title}” has no questions yet.")
        elif data.get("source") == "pick" and not data.get("questions"):
            self.add_error("questions", "Tick at least one question.")
        return data

    def chosen(self) -> tuple[list[Question], Quiz | None, str]:
        """The session's questions in order, its quiz (None when hand-picked) and its title (of a valid form)."""
        data = self.cleaned_data
        if data["source"] == "quiz":
            quiz = data["quiz"]
            questions = list(quiz.questions.active().select_related("quiz__lecture").order_by("position", "id"))
            return questions, quiz, data["title"].strip() or quiz.title
        picked = {q.id for q in data["questions"]}
        questions = [q for q in self.course_questions() if q.id in picked]
        default = f"Live session of {timezone.localdate():%d %B %Y}"
        return questions, None, data["title"].strip() or default

    def question_groups(self) -> list[tuple[object, list[tuple[Question, bool]]]]:
        """The checkboxes by quiz, in course order: (quiz, [(question, ticked)])."""
        ticked = {str(value) for value in (self["questions"].value() or [])}
        groups: dict[int, tuple[object, list]] = {}
        for question in self.course_questions():
            groups.setdefault(question.quiz_id, (question.quiz, []))[1].append((question, str(question.id) in ticked))
        return list(groups.values())

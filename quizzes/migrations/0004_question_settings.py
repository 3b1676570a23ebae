"""Kind-specific settings move from 13 columns of Question into one JSON field, ``settings``.

Each question keeps exactly the settings its kind uses (the mapping below is frozen here, as
the kinds were on the day of the move); the other columns were unused by it. Reversible: going
back writes the settings into the columns again, with the columns' defaults for the rest.
"""

from django.db import migrations, models

import quizzes.kinds

SETTINGS_OF_KIND = {
    "single": (),
    "multiple": ("multiple_mode",),
    "true_false": ("true_false_answer",),
    "numeric": ("numeric_answer", "numeric_mode", "rtol", "atol", "digits"),
    "text": ("text_answers", "text_mode"),
    "computed": ("generator", "generator_config", "own_tolerance", "rtol", "atol"),
    "computed_array": ("generator", "generator_config", "own_tolerance", "rtol", "atol", "per_cell_credit"),
}
COLUMN_DEFAULTS = {
    "multiple_mode": "all_or_nothing",
    "true_false_answer": None,
    "numeric_answer": None,
    "numeric_mode": "tolerance",
    "rtol": 0.01,
    "atol": 1e-3,
    "digits": None,
    "text_answers": "",
    "text_mode": "case_insensitive",
    "generator": "",
    "generator_config": {},
    "own_tolerance": False,
    "per_cell_credit": False,
}


def columns_to_settings(apps, schema_editor):
    Question = apps.get_model("quizzes", "Question")
    changed = []
    for question in Question.objects.all().iterator():
        settings = {}
        for name in SETTINGS_OF_KIND.get(question.kind, ()):
            value = getattr(question, name)
            if name == "text_answers":
                value = [line.strip() for line in value.splitlines() if line.strip()]
            settings[name] = value
        question.settings = settings
        changed.append(question)
    Question.objects.bulk_update(changed, ["settings"], batch_size=500)


def settings_to_columns(apps, schema_editor):
    Question = apps.get_model("quizzes", "Question")
    changed = []
    for question in Question.objects.all().iterator():
        for name, default in COLUMN_DEFAULTS.items():
            value = question.settings.get(name, default)
            if name == "text_answers" and isinstance(value, list):
                value = "\n".join(value)
            setattr(question, name, value)
        changed.append(question)
    Question.objects.bulk_update(changed, list(COLUMN_DEFAULTS), batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0003_variant_made_with_and_after_reveal")]

    operations = [
        migrations.AddField(
            model_name="question",
            name="settings",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The kind's settings (answer, tolerances, generator, …), checked by the kind.",
            ),
        ),
        migrations.RunPython(columns_to_settings, settings_to_columns),
        *(migrations.RemoveField(model_name="question", name=name) for name in COLUMN_DEFAULTS),
        migrations.AlterField(
            model_name="question",
            name="kind",
            field=models.CharField(choices=quizzes.kinds.kind_choices, default="single", max_length=20),
        ),
    ]

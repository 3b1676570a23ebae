from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0008_choice_fraction")]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="step_marks",
            field=models.JSONField(
                blank=True, default=list,
                help_text="Multi-step: per asked step its mark (right, carried, shown, wrong, blank).",
            ),
        ),
    ]

"""The safety flag leaves the clear: ``flagged_unsafe`` becomes a generic ``needs_attention``
mark, and the reason (which answers signal that someone may not be safe) moves inside the
encrypted record, under ``_attention``.

Moving a flagged row's reason needs the intake keys (``INTAKE_ENCRYPTION_KEYS``, read by
``practice.crypto`` as always). A database with no flagged row, a fresh one among them, needs
none and migrates without keys; one with flagged rows and no keys stops with a clear error
before anything changes, rather than drop the flags.

On PostgreSQL the dropped column's old values stay in the table's files until it is
rewritten: ``VACUUM FULL intake_response`` once after migrating clears them from the disk.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models

# As stored by this migration; the model keeps its own copy (intake.models.ATTENTION).
ATTENTION = "_attention"
UNSAFE = "unsafe"

NO_KEYS = (
    "{count} intake responses carry the safety flag, and moving it inside their encrypted "
    "answers needs INTAKE_ENCRYPTION_KEYS: set the keys and run migrate again."
)


def _unsafe_question_ids(response, answers: dict) -> list[str]:
    """The flagged questions in the questionnaire's order, as the file of the response's
    version names them; none named (the flag alone is kept) when that file is gone."""
    from intake import questionnaires

    try:
        questionnaire = questionnaires.load(
            response.questionnaire_id, response.questionnaire_version
        )
    except questionnaires.UnknownQuestionnaire:  # a file gone must not lose the flag
        return []
    return questionnaire.unsafe_question_ids(answers)


def flags_into_the_record(apps, schema_editor):
    from django.conf import settings

    from practice import crypto

    Response = apps.get_model("intake", "Response")
    flagged = Response.objects.filter(flagged_unsafe=True)
    count = flagged.count()
    if not count:
        return
    if not settings.INTAKE_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(NO_KEYS.format(count=count))
    for response in flagged.iterator():
        changes = {"needs_attention": True}
        if response.answers_encrypted is not None:
            answers = crypto.decrypt_json(response.answers_encrypted)
            answers[ATTENTION] = {UNSAFE: _unsafe_question_ids(response, answers)}
            changes["answers_encrypted"] = crypto.encrypt_json(answers)
        Response.objects.filter(pk=response.pk).update(**changes)


def flags_out_of_the_record(apps, schema_editor):
    from django.conf import settings

    from practice import crypto

    Response = apps.get_model("intake", "Response")
    marked = Response.objects.filter(needs_attention=True)
    count = marked.count()
    if not count:
        return
    if not settings.INTAKE_ENCRYPTION_KEYS:
        raise ImproperlyConfigured(NO_KEYS.format(count=count))
    for response in marked.iterator():
        if response.answers_encrypted is None:
            continue
        answers = crypto.decrypt_json(response.answers_encrypted)
        attention = answers.pop(ATTENTION, {})
        Response.objects.filter(pk=response.pk).update(
            flagged_unsafe=UNSAFE in attention, answers_encrypted=crypto.encrypt_json(answers)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0006_assignment_earlier_response"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="needs_attention",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Something here asks you to read it soon; the review page says what.",
                verbose_name="needs attention",
            ),
        ),
        migrations.RunPython(flags_into_the_record, flags_out_of_the_record),
        migrations.RemoveField(
            model_name="response",
            name="flagged_unsafe",
        ),
    ]

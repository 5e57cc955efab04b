"""An error report (the email Django sends to ADMINS) names fields, never their values."""

import logging
import sys

from django.core import mail

ANSWER = "he reads my messages every night"


def fail_while_holding(answer):
    raise RuntimeError("saving failed")


def test_the_admins_error_email_shows_no_typed_answer_and_no_variable(rf, settings):
    settings.DEBUG = False
    settings.ADMINS = [("Ops", "ops@example.org")]
    request = rf.post("/intake/some-token/", {"money_note": ANSWER, "section": "money"})
    try:
        fail_while_holding(ANSWER)
    except RuntimeError:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s",
            request.path,
            exc_info=sys.exc_info(),
            extra={"status_code": 500, "request": request},
        )

    [report] = mail.outbox
    assert report.to == ["ops@example.org"]
    for body in [report.body] + [content for content, _ in report.alternatives]:
        assert "saving failed" in body  # what broke, and where
        assert "money_note" in body
        assert ANSWER not in body

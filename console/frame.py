"""Which frame a page outside the console is drawn in: hers, or the client site's.

allauth's second-factor pages and the intake review are hers as much as the console is, but
they live outside ``console/``. When the signed-in user is a practitioner they extend the
console's frame (its bar and nav), so she never seems to have left it; everyone else, the
clients signing in on the same allauth pages, keeps the client site's frame. Everything is
worked out only when a template asks, and at most once a request, so a page that never
reads it costs no query.
"""

from django.http import HttpRequest

from console import not_sent
from console.access import practitioner_of
from practice.second_factor import has_second_factor

CONSOLE_FRAME = "console/base.html"
CLIENT_FRAME = "base.html"


def _once(compute):
    """A callable the template engine calls on reading it, computed the first time only."""
    box = []

    def value():
        if not box:
            box.append(compute())
        return box[0]

    return value


def frame(request: HttpRequest) -> dict:
    def console_practitioner():
        # The console's door has found her already; elsewhere she is looked up by account.
        return getattr(request, "practitioner", None) or practitioner_of(
            getattr(request, "user", None)
        )

    her = _once(console_practitioner)

    def setting_up():
        # Inside the console the door has checked her factor (the one page open before it
        # says so itself); outside it, a practitioner without a factor yet is setting up.
        if hasattr(request, "practitioner"):
            return False
        return her() is not None and not has_second_factor(request.user)

    def not_sent_count():
        # The badge in her nav: what did not go out (console.not_sent), one count query.
        practitioner = her()
        return not_sent.count(practitioner) if practitioner is not None else 0

    return {
        "console_practitioner": her,
        "not_sent_count": _once(not_sent_count),
        "frame": _once(lambda: CONSOLE_FRAME if her() is not None else CLIENT_FRAME),
        "setting_up": _once(setting_up),
    }

"""EMAIL_URL names the mail server in one variable; the older EMAIL_HOST ones still work."""

import pytest

from practice.email_config import CONSOLE, FILE, SMTP, from_environ, from_url


def test_smtp_with_starttls_and_a_password_holding_url_special_characters():
    settings = from_url("smtp+tls://bookings%40example.org:p%40ss%2Fw0rd@mail.example.org")

    assert settings == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "bookings@example.org",
        "EMAIL_HOST_PASSWORD": "p@ss/w0rd",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [
        ("smtp://mail.example.org", 25, False, False),
        ("smtp://mail.example.org:2525", 2525, False, False),
        ("smtps://mail.example.org", 465, False, True),
        ("smtp+tls://mail.example.org:2587", 2587, True, False),
    ],
)
def test_each_scheme_chooses_its_port_and_encryption(url, port, tls, ssl):
    settings = from_url(url)

    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_TLS"], settings["EMAIL_USE_SSL"]) == (
        port,
        tls,
        ssl,
    )
    assert (settings["EMAIL_HOST_USER"], settings["EMAIL_HOST_PASSWORD"]) == ("", "")


def test_console_and_file_need_no_server():
    assert from_url("console://") == {"EMAIL_BACKEND": CONSOLE}
    assert from_url("file:///var/mail/practice") == {
        "EMAIL_BACKEND": FILE,
        "EMAIL_FILE_PATH": "/var/mail/practice",
    }


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "smtp://", "file://", "mail.example.org:25"]
)
def test_a_url_that_names_no_usable_server_is_refused_at_start(url):
    with pytest.raises(ValueError, match="EMAIL_URL"):
        from_url(url)


def test_email_url_wins_over_the_older_variables():
    settings = from_environ({"EMAIL_URL": "smtps://mail.example.org", "EMAIL_HOST": "old.host"})

    assert settings["EMAIL_HOST"] == "mail.example.org"


def test_the_older_variables_still_name_the_server():
    settings = from_environ(
        {"EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "true"}
    )

    assert settings["EMAIL_BACKEND"] == SMTP
    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_TLS"]) == (587, True)


def test_without_any_server_emails_are_printed():
    assert from_environ({})["EMAIL_BACKEND"] == CONSOLE

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured

from intake import checks
from practice import crypto


def test_json_survives_the_round_trip_and_is_not_readable(settings):
    answers = {"what_brings_you": "Wir streiten über Geld 💸", "money_balance": 2}
    token = crypto.encrypt_json(answers)
    assert b"Geld" not in token
    assert crypto.decrypt_json(memoryview(token)) == answers


def test_the_first_key_encrypts_and_every_key_decrypts(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.INTAKE_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt_json({"a": 1})
    settings.INTAKE_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt_json(token) == {"a": 1}
    rotated = crypto.rotate(token)
    settings.INTAKE_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt_json(rotated) == {"a": 1}
    with pytest.raises(InvalidToken):
        crypto.decrypt_json(token)
    settings.INTAKE_ENCRYPTION_KEYS = [old]
    with pytest.raises(InvalidToken):
        crypto.decrypt_json(rotated)


def test_without_keys_nothing_is_encrypted(settings):
    settings.INTAKE_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="INTAKE_ENCRYPTION_KEYS is empty"):
        crypto.encrypt_json({})


def test_the_check_refuses_to_start_without_keys(settings):
    settings.DEBUG = False
    settings.INTAKE_ENCRYPTION_KEYS = []
    [error] = checks.check_encryption_keys()
    assert error.id == "intake.E001"
    assert error.msg == crypto.NO_KEYS


def test_the_check_refuses_a_key_fernet_cannot_use(settings, intake_key):
    settings.INTAKE_ENCRYPTION_KEYS = [intake_key, "not-a-key"]
    [error] = checks.check_encryption_keys()
    assert error.id == "intake.E002"
    assert error.msg.startswith("INTAKE_ENCRYPTION_KEYS[1] is not a Fernet key")


def test_the_check_passes_with_keys():
    assert checks.check_encryption_keys() == []


def test_the_check_is_registered_for_every_run_not_only_deploy(settings):
    from django.core.checks import registry

    settings.INTAKE_ENCRYPTION_KEYS = []
    errors = registry.run_checks(tags=["security"], include_deployment_checks=False)
    assert "intake.E001" in {error.id for error in errors}

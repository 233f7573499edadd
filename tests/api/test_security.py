import hashlib

from argon2 import Type, extract_parameters

from service import security


def test_production_hasher_is_argon2id_with_rfc_9106_parameters() -> None:
    parameters = security._DUMMY_HASH  # made at import, with the production hasher
    extracted = extract_parameters(parameters)
    assert extracted.type is Type.ID
    assert extracted.memory_cost >= 64 * 1024
    assert extracted.time_cost >= 3


def test_verify_password_accepts_the_right_password_only() -> None:
    stored = security.hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert security.verify_password(stored, "correct horse")
    assert not security.verify_password(stored, "wrong horse")
    assert not security.verify_password(None, "correct horse")
    assert not security.verify_password("not a hash", "correct horse")


def test_tokens_are_random_and_only_their_sha256_is_kept() -> None:
    first, second = security.new_token(), security.new_token()
    assert first != second and len(first) >= 43
    assert security.hash_token(first) == hashlib.sha256(first.encode()).hexdigest()

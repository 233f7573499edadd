"""The password policy: at least 8 characters that are not blank, not one of the
10,000 most common passwords (service/data/common_passwords.txt), and not the
account's username or e-mail address (whatever the case)."""

from functools import cache
from pathlib import Path

MIN_NON_BLANK = 8
_COMMON = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def _common() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def problem(password: str, *, username: str, email: str) -> str | None:
    """Which rule the password breaks, as a message for the client; None if none."""
    if sum(not ch.isspace() for ch in password) < MIN_NON_BLANK:
        return f"password: needs at least {MIN_NON_BLANK} characters that are not spaces"
    folded = password.casefold()
    if folded in _common():
        return "password: is one of the most common passwords; choose another"
    if folded in (username.casefold(), email.casefold(), email.split("@")[0].casefold()):
        return "password: must not be the username or the e-mail address"
    return None

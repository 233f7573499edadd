"""The password policy: at least 8 characters that are not blank, not one of the
10,000 most common passwords (service/data/common_passwords.txt), and not the
account's username or e-mail address (whatever the case)."""

import re
from functools import cache
from pathlib import Path

from service.fields import at_least_non_blank

MIN_NON_BLANK = 8
# Also the registration body's pattern, so that the OpenAPI document states the rule
# and "a space" means the same to a client's regex as here.
PATTERN = at_least_non_blank(MIN_NON_BLANK)
_ENOUGH = re.compile(PATTERN)
_COMMON = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def _common() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def problem(password: str, *, username: str, email: str) -> str | None:
    """Which rule the password breaks, as a message for the client; None if none."""
    if not _ENOUGH.search(password):
        return f"password: needs at least {MIN_NON_BLANK} characters that are not spaces"
    folded = password.casefold()
    if folded in _common():
        return "password: is one of the most common passwords; choose another"
    if folded in (username.casefold(), email.casefold(), email.split("@")[0].casefold()):
        return "password: must not be the username or the e-mail address"
    return None

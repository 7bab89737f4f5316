"""Journal metadata never holds a credential, whatever the caller passes.

Journals outlive the session (recovery, retention for days) and are plain files a user may
attach to a bug report, so an API key that slipped into the settings must not reach one.
Keys are dropped by name and values by shape before anything is written, and
`Journal.create` checks the result again (`secret_keys`) rather than trust the dropping.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

_SECRET_KEY = re.compile(
    r"(api[_-]?key|apikey|(^|[^a-z])token($|[^a-z])|secret|passw(or)?d|passphrase|credential|authori[sz]ation"
    r"|cookie|private[_-]?key|^auth$)",
    re.IGNORECASE,
)


def _is_secret_key(key: str) -> bool:
    """Named like a credential: api_key, apiKey, access_token, client_secret, password..."""
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key)
    return bool(_SECRET_KEY.search(snake))


#: Values shaped like a DashScope key or a bearer credential are dropped too.
_SECRET_VALUE = re.compile(r"^(sk-[A-Za-z0-9_-]{12,}|Bearer\s+\S+)$")


def sanitize(value: Any) -> Any:
    """A JSON-able copy of `value` without anything that looks like a credential:
    dict keys named like api_key/token/secret/password, and string values shaped like
    an API key. Objects with `to_dict()` (RecognitionSettings) and dataclasses become
    dicts, tuples become lists, other unknown objects their str()."""
    if hasattr(value, "to_dict") and callable(value.to_dict):
        value = value.to_dict()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = str(k)
            if _is_secret_key(key):
                continue
            if isinstance(v, str) and _SECRET_VALUE.match(v.strip()):
                continue
            out[key] = sanitize(v)
        return out
    if isinstance(value, (list, tuple)):
        return [sanitize(v) for v in value if not (isinstance(v, str) and _SECRET_VALUE.match(v.strip()))]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def secret_keys(value: Any, path: str = "") -> list[str]:
    """Every key path in `value` that is named like a credential (should be none)."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}" if path else str(k)
            if _is_secret_key(str(k)):
                found.append(here)
            found += secret_keys(v, here)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += secret_keys(v, f"{path}[{i}]")
    return found

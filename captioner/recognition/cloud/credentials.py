"""The DashScope API key: from the caller, the environment, or the OS keyring.

Lookup order (the SDK's, minus its plain-text key files): an explicit key, then the
environment variable DASHSCOPE_API_KEY, then the OS keyring, where the app's settings
window stores it: service "captioner", user "dashscope-api-key-<region>" (one entry per
region, because Beijing and Singapore keys are not interchangeable). A custom URL (another
Captioner's `captioner serve --token`, a proxy) has an entry of its own, "dashscope-api-key-
url:<url>", which the window fills when a key is typed while that URL is chosen: a key saved
for Alibaba Cloud must not be sent to whatever server a URL points at, but the key typed for
that server must be. For a URL, its own saved key comes before DASHSCOPE_API_KEY (which is
usually the Alibaba Cloud key).

When the keyring refuses a key, `keep_until_exit` holds it in this process instead, and
every lookup here sees it, so a key typed in the window works until the app quits.

This module is the only one that touches the keyring: `load_api_key`, `store_api_key`,
`delete_api_key` and `keyring_available` are what the settings window uses too.

The key travels wrapped in `ApiKey`, whose repr and str never show it, so a key that ends up
in a log line, a traceback's locals or a journal shows as "<API key from env>".
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

from captioner.protocol.endpoints import Region

log = logging.getLogger(__name__)

ENV_VAR = "DASHSCOPE_API_KEY"
KEYRING_SERVICE = "captioner"


#: Keys the keyring would not take, kept in memory for this run only (slot -> key).
_until_exit: dict[str, str] = {}


def keyring_user(slot: str) -> str:
    """The keyring entry for a slot: a region code, or `url_slot(url)`."""
    return f"dashscope-api-key-{slot}"


def url_slot(url: str) -> str:
    """The slot of a custom URL's key, so a trailing slash does not make it another server."""
    return "url:" + url.strip().rstrip("/")


class ApiKey:
    """A secret that does not print itself. `reveal()` is for the Authorization header only."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        value = value.strip()
        if not value:
            raise ValueError("an API key must not be empty")
        if any(c.isspace() or ord(c) < 0x20 for c in value):
            raise ValueError("the API key contains spaces or control characters; paste it again")
        self._value = value
        #: Where it came from: "explicit", "env" or "keyring" (safe to log).
        self.source = source

    def reveal(self) -> str:
        return self._value

    def authorization(self) -> str:
        return f"Bearer {self._value}"

    def __repr__(self) -> str:
        return f"<API key from {self.source}>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # never pickled into a file or sent to another process by accident
        raise TypeError("API keys are not picklable")


def resolve_api_key(
    region: str | None, explicit: str | None = None, *, use_keyring: bool = True, url: str | None = None
) -> ApiKey | None:
    """The key to use, or None when there is none anywhere. With `url` and no region, the
    key saved for that URL is the keyring's candidate, and it outranks the environment's."""
    if explicit:
        return ApiKey(explicit, "explicit")
    if use_keyring and url and not region:
        stored = load_api_key(url_slot(url))
        if stored:
            return ApiKey(stored, "keyring")
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return ApiKey(env, "env")
    if use_keyring and region:
        stored = load_api_key(region)
        if stored:
            return ApiKey(stored, "keyring")
    return None


def no_key_message(service: str, region: Region) -> str:
    """What a user reads when no key is found for a region's service (`service` as it is named
    to them), the same for the realtime and the REST clients."""
    return (
        f"No API key for {service}: set the {ENV_VAR} environment variable, "
        f"or save the key for the {region.name} region in the app's settings."
    )


def keyring_available() -> bool:
    """Whether a real keyring backend is configured (not keyring's "fail" placeholder)."""
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception as exc:  # keyring not installed, or a broken backend configuration
        log.info("no usable keyring: %s", type(exc).__name__)
        return False
    return getattr(backend, "priority", 1) > 0 and "fail" not in type(backend).__module__


def load_api_key(region: str) -> str:
    """The key stored for a slot (a region or a URL), or "" (also when there is no usable
    keyring and none was kept until exit)."""
    if region in _until_exit:
        return _until_exit[region]
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, keyring_user(region)) or ""
    except Exception as exc:  # no backend, a locked or broken Secret Service, D-Bus trouble
        log.info("could not read the keyring: %s", type(exc).__name__)
        return ""


def store_api_key(region: str, key: str) -> None:
    """Save a region's key in the OS keyring; an empty key deletes it.

    Raises keyring.errors.KeyringError when the keyring cannot store it, so the UI can tell
    the user the key will not be remembered.
    """
    import keyring

    key = key.strip()
    if not key:
        delete_api_key(region)
        return
    ApiKey(key, "explicit")  # validate before storing
    keyring.set_password(KEYRING_SERVICE, keyring_user(region), key)


def keep_until_exit(slot: str, key: str) -> None:
    """Hold a key the keyring refused for the rest of this run ("" forgets it)."""
    key = key.strip()
    if key:
        _until_exit[slot] = key
    else:
        _until_exit.pop(slot, None)


def delete_api_key(region: str) -> None:
    """Forget a region's key; nothing happens when none is stored."""
    import keyring
    from keyring.errors import PasswordDeleteError

    with contextlib.suppress(PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, keyring_user(region))


class RedactingLogger(logging.LoggerAdapter):
    """A logger for `websockets` connections that cannot leak the key.

    At DEBUG, websockets logs every handshake header, Authorization included ("> %s: %s").
    Passed as `connect(logger=...)`, this adapter masks the value of any Authorization
    header and any occurrence of the given secrets in the message or its arguments, before
    a handler ever sees the record.
    """

    MASK = "***"

    def __init__(self, logger: logging.Logger, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(logger, {})
        self._secrets = tuple(s for s in secrets if s)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.isEnabledFor(level):
            return
        if len(args) == 2 and isinstance(args[0], str) and args[0].lower() in ("authorization", "proxy-authorization"):
            args = (args[0], self.MASK)
        if self._secrets:
            try:
                text = str(msg) % args if args else str(msg)
            except (TypeError, ValueError):
                text = " ".join(map(str, (msg, *args)))
            for secret in self._secrets:
                text = text.replace(secret, self.MASK)
            msg, args = text, ()  # logging formats only when there are args
        super().log(level, msg, *args, **kwargs)

"""What went wrong, as types: one small hierarchy, one classifier, one exit-code table.

Every error the app raises for a user to read belongs to one `Category`, which says whose
fault it is and so what to do about it: a bad parameter (fix the command or the setting), a
missing or unreadable input file, no speech model, a service that refused or failed, a key
that is missing or refused, a model name the service does not know, a network that cannot
be reached, an audio device. The CLI turns a category into its exit code here
(`exit_code`), once for every command; the window turns it into a dialog in
`captioner/ui/controller.py` (`PROBLEMS`), once.

The classes::

    CaptionerError
    ├── ParameterError (also a ValueError)  PARAMETER      2
    │   └── MissingKeyError                 MISSING_KEY    2
    ├── InputError                          INPUT          3
    ├── ModelError                          MODEL          4
    ├── ServiceError                        SERVICE        5
    │   ├── AuthError                       AUTH           5
    │   └── UnknownModelError               UNKNOWN_MODEL  5
    ├── NetworkError                        NETWORK        6
    └── DeviceError                         DEVICE         6

The existing errors join it where they live: `SettingsError` is a ParameterError,
`AudioSourceError` an InputError (`AudioDeviceError` and `DeviceNotFoundError` are
DeviceErrors), the on-device `ModelNotFoundError` a ModelError. `RecognitionError` is a
CaptionerError whose category comes from its service code (`code_category`): a service
answers "InvalidParameter", "ModelNotFound" or "InvalidApiKey" in one exception type, so
the code, not the class, says which it is. Subclasses with a fixed meaning name their
category base first (`class ModelNotFoundError(ModelError, RecognitionError)`) so that the
category base's `category` comes before RecognitionError's code lookup in the MRO.

Always ask `category(exc)` rather than isinstance: it also answers for plain
RecognitionErrors, Python's own exceptions and interruptions. This module sits at the
bottom of the import graph and imports nothing from captioner.
"""

from __future__ import annotations

import enum
import sys


class Category(enum.Enum):
    """Whose fault, and so what the user can do about it."""

    PARAMETER = "parameter"  # a value the user gave is out of range or not known
    MISSING_KEY = "missing-key"  # a cloud service needs an API key and none was found
    INPUT = "input"  # the input file is missing, empty, damaged or cannot be written back
    MODEL = "model"  # no usable on-device speech model (or engine)
    SERVICE = "service"  # recognition failed: the service refused the request or broke
    AUTH = "auth"  # the service refused the API key (or the workspace)
    UNKNOWN_MODEL = "unknown-model"  # the service does not know the model name asked for
    NETWORK = "network"  # the service could not be reached
    DEVICE = "device"  # an audio device is unknown, vanished or unusable
    INTERRUPTED = "interrupted"  # the user stopped it (Ctrl-C)


#: The exit code of every command for each category (README, "The command line").
EXIT_OK = 0
EXIT_CODES: dict[Category, int] = {
    Category.PARAMETER: 2,
    Category.MISSING_KEY: 2,
    Category.INPUT: 3,
    Category.MODEL: 4,
    Category.SERVICE: 5,
    Category.AUTH: 5,
    Category.UNKNOWN_MODEL: 5,
    Category.NETWORK: 6,
    Category.DEVICE: 6,
    Category.INTERRUPTED: 130,
}

#: Categories whose message is the service's: the code is shown beside it.
SERVICE_CATEGORIES = frozenset({Category.SERVICE, Category.AUTH, Category.UNKNOWN_MODEL, Category.NETWORK})


class CaptionerError(Exception):
    """Base of the app's errors; the message is for the user. `category` says what kind."""

    category: Category = Category.SERVICE


class ParameterError(CaptionerError, ValueError):
    """A value the user gave (a flag, a setting, an environment variable) is not usable."""

    category = Category.PARAMETER


class MissingKeyError(ParameterError):
    """A cloud service needs an API key and none was given or stored."""

    category = Category.MISSING_KEY


class InputError(CaptionerError):
    """The input file is missing, empty, damaged or has no audio."""

    category = Category.INPUT


class ModelError(CaptionerError):
    """No usable on-device speech model (or the engine is not installed)."""

    category = Category.MODEL


class ServiceError(CaptionerError):
    """Recognition failed: the service refused the request, or failed doing it."""

    category = Category.SERVICE


class AuthError(ServiceError):
    """The service refused the API key, or the key does not belong to the workspace."""

    category = Category.AUTH


class UnknownModelError(ServiceError):
    """The service does not know the model name (it is not the on-device model missing)."""

    category = Category.UNKNOWN_MODEL


class NetworkError(CaptionerError):
    """The service could not be reached (or stayed unreachable longer than we wait)."""

    category = Category.NETWORK


class DeviceError(CaptionerError):
    """An audio device is unknown, vanished, or the audio system is unusable."""

    category = Category.DEVICE


#: Service error codes (the realtime and REST protocols', and the client's own) that say
#: more than "the service failed". Any other code is Category.SERVICE.
CODE_CATEGORIES: dict[str, Category] = {
    "InvalidParameter": Category.PARAMETER,
    # From a service, ModelNotFound means the model *name* is unknown; the on-device
    # engine's missing model is a ModelNotFoundError, which is a ModelError by class.
    "ModelNotFound": Category.UNKNOWN_MODEL,
    "NoApiKey": Category.MISSING_KEY,
    "InvalidApiKey": Category.AUTH,
    "NOT AUTHORIZED": Category.AUTH,
    "NetworkError": Category.NETWORK,
}


def code_category(code: str | None) -> Category:
    """The category of a service error code (RecognitionError.code)."""
    return CODE_CATEGORIES.get(code or "", Category.SERVICE)


def category(exc: BaseException) -> Category:
    """What kind of problem `exc` is: the one question every caller asks.

    The app's errors say it themselves (by class, or for RecognitionError by code). Of the
    rest, an interruption is INTERRUPTED, a ValueError a PARAMETER, an OSError an INPUT (a
    file that cannot be read or written); anything else is a failed recognition, SERVICE.
    """
    if isinstance(exc, CaptionerError):
        return exc.category
    asyncio = sys.modules.get("asyncio")  # not imported: no CancelledError can exist
    if isinstance(exc, KeyboardInterrupt) or (asyncio is not None and isinstance(exc, asyncio.CancelledError)):
        return Category.INTERRUPTED
    if isinstance(exc, ValueError):
        return Category.PARAMETER
    if isinstance(exc, OSError):
        return Category.INPUT
    return Category.SERVICE


def exit_code(error: BaseException | Category) -> int:
    """The CLI exit code for an error (or a category): the one table, EXIT_CODES."""
    return EXIT_CODES[error if isinstance(error, Category) else category(error)]


def user_message(exc: BaseException) -> str:
    """The one line to show: the message, with the service's code where the service spoke
    (it is what support and the service's documentation go by)."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    code = getattr(exc, "code", None)
    if code and isinstance(code, str) and category(exc) in SERVICE_CATEGORIES and f"({code})" not in message:
        return f"{message} ({code})"
    return message

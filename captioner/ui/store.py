"""Persisted preferences: QSettings for everything, the OS keyring for the API key.

The API key is a secret, so it never touches the QSettings file (a plain INI file anyone can
read); it goes to the OS keyring (Secret Service, macOS Keychain, Windows Credential
Locker) under one entry per region, because Alibaba Cloud keys are region-specific. When no
keyring is available, the key is kept in memory for this run only and the user is told so.

Values are read back defensively: a hand-edited or older settings file must never stop the
app from starting, so anything out of range falls back to its default.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, fields
from typing import Any

from PySide6.QtCore import QByteArray, QRect, QSettings

from captioner import logs
from captioner.recognition.cloud import credentials
from captioner.settings import RecognitionSettings, SettingsError
from captioner.ui.choices import (
    ENGINE_CLOUD,
    ENGINE_LOCAL,
    REGIONS,
    SOURCE_KINDS,
    EngineChoice,
    SourceChoice,
    on_device_names,
)

log = logging.getLogger(__name__)

#: Overlay style limits: enforced by the widgets and again when read back.
LINES_RANGE = (1, 10)
FONT_SIZE_RANGE = (10, 96)
OPACITY_RANGE = (0.0, 1.0)
#: Caption a file's "Number of speakers" offers Auto and 2..this.
SPEAKER_COUNT_MAX = 8


class SecretStoreError(Exception):
    """The OS keyring could not store or read the key (message is user-facing)."""


@dataclass(frozen=True)
class OverlayStyle:
    """How the caption overlay looks. Colours are #rrggbb; opacity is the background's."""

    lines: int = 3
    font_size: int = 28
    font_family: str = ""
    text_color: str = "#ffffff"
    partial_color: str = "#ffd866"
    background_color: str = "#101010"
    opacity: float = 0.65
    #: A translated session's line under each caption (issue #18): shown, its size, its colour.
    show_translation: bool = True
    translation_size: int = 20
    translation_color: str = "#9fd8ff"


class SecretStore:
    """The API key in the OS keyring (through recognition/cloud/credentials.py, the one
    place that touches it), one entry per slot (a region, or a custom URL's
    `credentials.url_slot`); kept until exit when the keyring fails, where the engine's
    own lookup sees it too."""

    def available(self) -> bool:
        """Whether a real keyring backend is configured (not the 'fail' placeholder)."""
        return credentials.keyring_available()

    def get(self, slot: str) -> str:
        return credentials.load_api_key(slot)

    def set(self, slot: str, key: str) -> None:
        """Store the key; raises SecretStoreError (after keeping it until exit) if the
        keyring refuses, so the caller can tell the user it will not be remembered."""
        from keyring.errors import KeyringError

        key = key.strip()
        try:
            credentials.store_api_key(slot, key)  # an empty key deletes the entry
            credentials.keep_until_exit(slot, "")
        except KeyringError as exc:
            credentials.keep_until_exit(slot, key)
            raise SecretStoreError(str(exc) or type(exc).__name__) from exc


class Store:
    """Typed access to the app's QSettings. Pass a QSettings (tests give a temp INI file)."""

    def __init__(self, settings: QSettings | None = None, secrets: SecretStore | None = None) -> None:
        self.qsettings = settings if settings is not None else default_qsettings()
        self.secrets = secrets if secrets is not None else SecretStore()

    def sync(self) -> None:
        self.qsettings.sync()

    # Primitive helpers ----------------------------------------------------------------

    def _str(self, key: str, default: str = "") -> str:
        value = self.qsettings.value(key, default)
        return value if isinstance(value, str) else default

    def _int(self, key: str, default: int, lo: int, hi: int) -> int:
        try:
            raw: Any = self.qsettings.value(key, default)  # whatever was stored: checked here
            value = int(raw)
        except (TypeError, ValueError):
            return default
        return value if lo <= value <= hi else default

    def _float(self, key: str, default: float, lo: float, hi: float) -> float:
        try:
            raw: Any = self.qsettings.value(key, default)
            value = float(raw)
        except (TypeError, ValueError):
            return default
        return value if lo <= value <= hi else default

    def _bool(self, key: str, default: bool) -> bool:
        value = self.qsettings.value(key, default)
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes")
        return bool(value)

    # Recognition -----------------------------------------------------------------------

    def recognition_settings(self) -> RecognitionSettings:
        raw = self._str("recognition/settings")
        if not raw:
            return RecognitionSettings()
        try:
            return RecognitionSettings.from_dict(json.loads(raw))
        except (ValueError, TypeError, SettingsError) as exc:
            log.warning("ignoring saved recognition settings: %s", exc)
            return RecognitionSettings()

    def set_recognition_settings(self, settings: RecognitionSettings) -> None:
        self.qsettings.setValue("recognition/settings", json.dumps(settings.to_dict(), sort_keys=True))

    # Engine ----------------------------------------------------------------------------

    def engine_choice(self) -> EngineChoice:
        engine = self._str("engine/engine", ENGINE_LOCAL)
        region = self._str("engine/region", "cn")
        on_device = self._str("engine/on_device", ENGINE_LOCAL)
        return EngineChoice(
            engine=engine if engine in (ENGINE_LOCAL, ENGINE_CLOUD) else ENGINE_LOCAL,
            region=region if region in REGIONS else "cn",
            url=self._str("engine/url"),
            workspace=self._str("engine/workspace"),
            model_dir=self._str("engine/model_dir"),
            on_device=on_device if on_device in on_device_names() else ENGINE_LOCAL,
        )

    def set_engine_choice(self, choice: EngineChoice) -> None:
        for f in fields(choice):
            self.qsettings.setValue(f"engine/{f.name}", getattr(choice, f.name))

    def api_key(self, region: str) -> str:
        key = self.secrets.get(region)
        logs.register_secret(key)  # redacted from the log and diagnostics from now on
        return key

    def set_api_key(self, region: str, key: str) -> None:
        """Into the keyring only. Raises SecretStoreError if it cannot be remembered."""
        logs.register_secret(key)
        self.secrets.set(region, key)

    # Input -----------------------------------------------------------------------------

    def source_choice(self) -> SourceChoice:
        kind = self._str("input/kind", "microphone")
        return SourceChoice(
            kind=kind if kind in SOURCE_KINDS and kind != "demo" else "microphone",
            device=self._str("input/device") or None,
            loopback=self._str("input/loopback") or None,
        )

    def set_source_choice(self, choice: SourceChoice) -> None:
        if choice.kind == "demo":  # the demo is a one-off; next start offers the real input
            return
        self.qsettings.setValue("input/kind", choice.kind)
        self.qsettings.setValue("input/device", choice.device or "")
        self.qsettings.setValue("input/loopback", choice.loopback or "")

    # Overlay ---------------------------------------------------------------------------

    def overlay_style(self) -> OverlayStyle:
        d = OverlayStyle()
        return OverlayStyle(
            lines=self._int("overlay/lines", d.lines, *LINES_RANGE),
            font_size=self._int("overlay/font_size", d.font_size, *FONT_SIZE_RANGE),
            font_family=self._str("overlay/font_family", d.font_family),
            text_color=self._color("overlay/text_color", d.text_color),
            partial_color=self._color("overlay/partial_color", d.partial_color),
            background_color=self._color("overlay/background_color", d.background_color),
            opacity=self._float("overlay/opacity", d.opacity, *OPACITY_RANGE),
            show_translation=self._bool("overlay/show_translation", d.show_translation),
            translation_size=self._int("overlay/translation_size", d.translation_size, *FONT_SIZE_RANGE),
            translation_color=self._color("overlay/translation_color", d.translation_color),
        )

    def _color(self, key: str, default: str) -> str:
        value = self._str(key, default)
        ok = len(value) == 7 and value.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in value[1:])
        return value if ok else default

    def set_overlay_style(self, style: OverlayStyle) -> None:
        for f in fields(style):
            self.qsettings.setValue(f"overlay/{f.name}", getattr(style, f.name))

    def overlay_visible(self) -> bool:
        return self._bool("overlay/visible", True)

    def set_overlay_visible(self, visible: bool) -> None:
        self.qsettings.setValue("overlay/visible", visible)

    def overlay_geometry(self, screen_key: str) -> QRect | None:
        """Where the overlay was on this exact set of screens, if it has been there."""
        value = self.qsettings.value(f"overlay/geometry/{screen_key}")
        if isinstance(value, QRect) and value.isValid():
            return value
        if isinstance(value, str):  # some backends give "x,y,w,h" strings back
            try:
                x, y, w, h = (int(v) for v in value.split(","))
            except ValueError:
                return None
            return QRect(x, y, w, h) if w > 0 and h > 0 else None
        if isinstance(value, (list, tuple)) and len(value) == 4:
            try:
                rect = QRect(*(int(v) for v in value))
            except (TypeError, ValueError):
                return None
            return rect if rect.isValid() else None
        return None

    def set_overlay_geometry(self, screen_key: str, rect: QRect) -> None:
        self.qsettings.setValue(
            f"overlay/geometry/{screen_key}", f"{rect.x()},{rect.y()},{rect.width()},{rect.height()}"
        )

    def click_through_last(self) -> bool:
        """Whether click-through was on when the app last quit. It is never re-applied at
        start (a click-through window cannot be grabbed); the app only mentions it."""
        return self._bool("overlay/click_through_last", False)

    def set_click_through_last(self, on: bool) -> None:
        self.qsettings.setValue("overlay/click_through_last", on)

    # Window & misc -----------------------------------------------------------------------

    def window_geometry(self) -> QByteArray | None:
        value = self.qsettings.value("window/geometry")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_window_geometry(self, data: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", data)

    def ui_language(self) -> str:
        """ "" follows the system; otherwise a locale name such as "en" or "zh_CN"."""
        return self._str("ui/language", "")

    def set_ui_language(self, name: str) -> None:
        self.qsettings.setValue("ui/language", name)

    def last_folder(self, purpose: str) -> str:
        return self._str(f"folders/{purpose}")

    def set_last_folder(self, purpose: str, folder: str) -> None:
        self.qsettings.setValue(f"folders/{purpose}", folder)

    def file_speakers(self) -> tuple[bool, int | None]:
        """Caption a file's "Label speakers" choice: (on?, at most how many speakers; None
        = as many as are heard). Remembered like the dialog's folders."""
        count = self._int("file/speaker_count", 0, 0, SPEAKER_COUNT_MAX)
        return self._bool("file/label_speakers", False), count if count >= 2 else None

    def set_file_speakers(self, on: bool, count: int | None) -> None:
        self.qsettings.setValue("file/label_speakers", bool(on))
        self.qsettings.setValue("file/speaker_count", int(count or 0))

    def first_run(self) -> bool:
        return not self._bool("app/welcomed", False)

    def set_welcomed(self) -> None:
        self.qsettings.setValue("app/welcomed", True)

    def keep_sessions_days(self) -> int:
        """How long finished sessions' journals are kept (0 = forever). Unfinished ones are
        always kept for recovery."""
        return self._int("app/keep_sessions_days", 30, 0, 3650)

    def set_keep_sessions_days(self, days: int) -> None:
        self.qsettings.setValue("app/keep_sessions_days", int(days))


def default_qsettings() -> QSettings:
    """The user's settings file: an INI file in the platform's config folder, so it is the
    same readable format everywhere (and easy to check that no secret is in it)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Captioner", "Captioner")

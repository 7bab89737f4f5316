"""The dialog for each kind of problem: what the user reads, and what they can do next.

An error reaches the window in two steps, each one table: `captioner.errors.category`
sorts it into a Category, `controller.PROBLEMS` maps each Category to a problem kind
(`PROBLEM_*`, sent with the `problem` signal), and `DIALOGS` here builds the one dialog for
each kind. The dialog's buttons carry answers (`ANSWER_*`); the window decides what an
answer does (open a tab, focus a field, play the demo), so this module knows no panels.

An unknown cloud model (the service's ModelNotFound) is not the on-device model missing:
it gets its own dialog, which names the model the service did not know.

The words keep the "MainWindow" translation context they had when the window built these
boxes itself, so the translations stay as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QPushButton, QWidget

from captioner.errors import user_message
from captioner.ui import dialogs
from captioner.ui.controller import (
    PROBLEM_DEVICE,
    PROBLEM_ENGINE,
    PROBLEM_KEY,
    PROBLEM_MODEL,
    PROBLEM_UNKNOWN_MODEL,
    problem_kind,
)

translate = QCoreApplication.translate
Role = QMessageBox.ButtonRole

#: What the user chose in a problem dialog.
ANSWER_CLOSE = "close"  # closed it, or pressed the plain Close/OK button
ANSWER_CHOOSE_MODEL_FOLDER = "choose-model-folder"
ANSWER_USE_CLOUD = "use-cloud"
ANSWER_CHOOSE_ANOTHER_MODEL = "choose-another-model"
ANSWER_ENTER_KEY = "enter-key"
ANSWER_USE_THIS_DEVICE = "use-this-device"
ANSWER_PLAY_DEMO = "play-demo"


class ProblemBox(QMessageBox):
    """A message box whose extra buttons each stand for an answer."""

    def __init__(
        self,
        title: str,
        text: str,
        informative: str = "",
        choices: Sequence[tuple[str, QMessageBox.ButtonRole, str]] = (),
        *,
        button: QMessageBox.StandardButton = QMessageBox.StandardButton.Close,
        icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(icon, title, text, button, parent)
        self.setObjectName("captioner-problem")
        if informative:
            self.setInformativeText(informative)
        self.answers: dict[QAbstractButton, str] = {}
        self.choices: list[QPushButton] = []
        for label, role, answer in choices:
            choice = self.addButton(label, role)
            self.choices.append(choice)
            self.answers[choice] = answer

    def answer(self) -> str:
        """The answer of the button pressed (ANSWER_CLOSE for Close, OK or Escape)."""
        clicked = self.clickedButton()
        return self.answers.get(clicked, ANSWER_CLOSE) if clicked is not None else ANSWER_CLOSE


def model_missing(message: str, model_name: str = "", parent: QWidget | None = None) -> ProblemBox:
    """No usable on-device model: pick a folder, or go to the cloud."""
    return ProblemBox(
        translate("MainWindow", "Speech model missing"),
        translate("MainWindow", "Captioner cannot recognise speech on this device yet."),
        message,
        [
            (translate("MainWindow", "Choose a model folder…"), Role.ActionRole, ANSWER_CHOOSE_MODEL_FOLDER),
            (translate("MainWindow", "Use Alibaba Cloud"), Role.ActionRole, ANSWER_USE_CLOUD),
        ],
        parent=parent,
    )


def unknown_model(message: str, model_name: str = "", parent: QWidget | None = None) -> ProblemBox:
    """The service does not know the model name asked for (not a missing download)."""
    return ProblemBox(
        translate("MainWindow", "Unknown model"),
        translate("MainWindow", "The service does not know the model name “%1”.").replace("%1", model_name),
        message,
        [(translate("MainWindow", "Choose another model"), Role.AcceptRole, ANSWER_CHOOSE_ANOTHER_MODEL)],
        parent=parent,
    )


def key_needed(message: str, model_name: str = "", parent: QWidget | None = None) -> ProblemBox:
    """No API key, or the service refused the one given."""
    return ProblemBox(
        translate("MainWindow", "API key needed"),
        translate("MainWindow", "Alibaba Cloud did not accept the request: it needs a valid API key for this region."),
        message,
        [
            (translate("MainWindow", "Enter the key"), Role.AcceptRole, ANSWER_ENTER_KEY),
            (translate("MainWindow", "Use this device instead"), Role.ActionRole, ANSWER_USE_THIS_DEVICE),
        ],
        parent=parent,
    )


def cannot_listen(message: str, model_name: str = "", parent: QWidget | None = None) -> ProblemBox:
    """The input could not be opened (or failed)."""
    return ProblemBox(
        translate("MainWindow", "Cannot listen"),
        translate("MainWindow", "The input could not be opened."),
        message,
        [(translate("MainWindow", "Play the demo instead"), Role.ActionRole, ANSWER_PLAY_DEMO)],
        parent=parent,
    )


def captioning_stopped(message: str, model_name: str = "", parent: QWidget | None = None) -> ProblemBox:
    """Recognition failed for any other reason: say why; there is nothing to choose."""
    return ProblemBox(
        translate("MainWindow", "Captioning stopped"),
        translate("MainWindow", "Recognition failed."),
        message,
        button=QMessageBox.StandardButton.Ok,
        parent=parent,
    )


def no_microphone(parent: QWidget | None = None) -> ProblemBox:
    """No microphone at all: say so plainly and offer the demo recording instead."""
    box = ProblemBox(
        translate("MainWindow", "No microphone found"),
        translate("MainWindow", "Captioner found no microphone on this computer."),
        translate(
            "MainWindow",
            "You can still caption what this computer plays (Input → System audio), caption a media file "
            "(File → Caption a file…), or watch the demo recording being captioned now.",
        ),
        [(translate("MainWindow", "Play the demo"), Role.AcceptRole, ANSWER_PLAY_DEMO)],
        icon=QMessageBox.Icon.Information,
        parent=parent,
    )
    box.setDefaultButton(box.choices[0])
    return box


#: The one dialog for each problem kind (controller.PROBLEMS says which kind each error is).
DIALOGS: dict[str, Callable[[str, str, QWidget | None], ProblemBox]] = {
    PROBLEM_MODEL: model_missing,
    PROBLEM_UNKNOWN_MODEL: unknown_model,
    PROBLEM_KEY: key_needed,
    PROBLEM_DEVICE: cannot_listen,
    PROBLEM_ENGINE: captioning_stopped,
}


def problem_box(kind: str, message: str, *, model_name: str = "", parent: QWidget | None = None) -> ProblemBox:
    """The dialog for a problem the controller reported as (kind, message)."""
    return DIALOGS[kind](message, model_name, parent)


def error_box(error: BaseException, *, model_name: str = "", parent: QWidget | None = None) -> ProblemBox:
    """The dialog for an error (its category decides which)."""
    return problem_box(
        problem_kind(error), getattr(error, "message", "") or user_message(error), model_name=model_name, parent=parent
    )


async def ask(box: ProblemBox) -> str:
    """Show `box` window-modal (no nested event loop) and return the user's answer."""
    await dialogs.show(box)
    answer = box.answer()
    box.deleteLater()
    return answer

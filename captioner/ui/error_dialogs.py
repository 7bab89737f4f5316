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

from captioner.errors import Category, user_message
from captioner.errors import category as category_of
from captioner.ui import dialogs
from captioner.ui.controller import (
    PROBLEM_DEVICE,
    PROBLEM_ENGINE,
    PROBLEM_KEY,
    PROBLEM_MODEL,
    PROBLEM_UNKNOWN_MODEL,
    problem_kind,
    problem_summary,
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


def _advice(cat: Category | None) -> str:
    """What to do next, for categories that share a dialog but not a remedy."""
    advice = {
        Category.NETWORK: translate(
            "MainWindow",
            "Captioner could not reach the speech service. Check the internet connection (and any proxy or "
            "firewall), then start again. The captions so far are kept.",
        ),
        Category.PARAMETER: translate(
            "MainWindow",
            "A recognition setting was not accepted. Check the language, model and vocabulary on the Recognition "
            "and Engine tabs, then start again.",
        ),
        Category.SERVICE: translate(
            "MainWindow",
            "The speech service reported a problem. Start again in a moment; if it keeps happening, check your "
            "Alibaba Cloud account, or use this device instead.",
        ),
        Category.INTERRUPTED: translate("MainWindow", "Captioning was interrupted. Start again when you are ready."),
        Category.DEVICE: translate(
            "MainWindow",
            "Check that the device is connected and not in use by another app, then choose it again on the Input "
            "tab — or play the demo recording instead.",
        ),
        Category.INPUT: translate(
            "MainWindow",
            "Check that the file or device can be read, choose another input on the Input tab, or play the demo "
            "recording instead.",
        ),
    }
    return advice.get(cat, "") if cat is not None else ""


class ProblemBox(QMessageBox):
    """A message box whose extra buttons each stand for an answer.

    `text` says what happened and `informative` what to do, both in the user's language;
    `details` (the error's own, often English and technical, message) waits behind
    "Show Details…", so nobody is shown a raw exception but support can still read it."""

    def __init__(
        self,
        title: str,
        text: str,
        informative: str = "",
        choices: Sequence[tuple[str, QMessageBox.ButtonRole, str]] = (),
        *,
        details: str = "",
        button: QMessageBox.StandardButton = QMessageBox.StandardButton.Close,
        icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(icon, title, text, button, parent)
        self.setObjectName("captioner-problem")
        if informative:
            self.setInformativeText(informative)
        if details:
            self.setDetailedText(details)
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


def model_missing(
    message: str, model_name: str = "", parent: QWidget | None = None, cat: Category | None = None
) -> ProblemBox:
    """No usable on-device model: pick a folder, or go to the cloud."""
    return ProblemBox(
        translate("MainWindow", "Speech model missing"),
        problem_summary(PROBLEM_MODEL),
        translate(
            "MainWindow",
            "Choose a folder that holds a whisper model (CTranslate2 format), or recognise speech with Alibaba "
            "Cloud instead (it needs an API key).",
        ),
        [
            (translate("MainWindow", "Choose a model folder…"), Role.ActionRole, ANSWER_CHOOSE_MODEL_FOLDER),
            (translate("MainWindow", "Use Alibaba Cloud"), Role.ActionRole, ANSWER_USE_CLOUD),
        ],
        details=message,
        parent=parent,
    )


def unknown_model(
    message: str, model_name: str = "", parent: QWidget | None = None, cat: Category | None = None
) -> ProblemBox:
    """The service does not know the model name asked for (not a missing download)."""
    return ProblemBox(
        translate("MainWindow", "Unknown model"),
        translate("MainWindow", "The service does not know the model name “%1”.").replace("%1", model_name),
        translate(
            "MainWindow", "Check the spelling, or pick one of the listed models on the Engine tab, then start again."
        ),
        [(translate("MainWindow", "Choose another model"), Role.AcceptRole, ANSWER_CHOOSE_ANOTHER_MODEL)],
        details=message,
        parent=parent,
    )


def key_needed(
    message: str, model_name: str = "", parent: QWidget | None = None, cat: Category | None = None
) -> ProblemBox:
    """No API key, or the service refused the one given."""
    return ProblemBox(
        translate("MainWindow", "API key needed"),
        problem_summary(PROBLEM_KEY),
        translate(
            "MainWindow",
            "Paste the API key of this region from the Alibaba Cloud Model Studio console (a key of one region does "
            "not work in the other), or recognise speech on this device instead.",
        ),
        [
            (translate("MainWindow", "Enter the key"), Role.AcceptRole, ANSWER_ENTER_KEY),
            (translate("MainWindow", "Use this device instead"), Role.ActionRole, ANSWER_USE_THIS_DEVICE),
        ],
        details=message,
        parent=parent,
    )


def cannot_listen(
    message: str, model_name: str = "", parent: QWidget | None = None, cat: Category | None = None
) -> ProblemBox:
    """The input could not be opened (or failed)."""
    return ProblemBox(
        translate("MainWindow", "Cannot listen"),
        problem_summary(PROBLEM_DEVICE),
        _advice(cat or Category.DEVICE),
        [(translate("MainWindow", "Play the demo instead"), Role.ActionRole, ANSWER_PLAY_DEMO)],
        details=message,
        parent=parent,
    )


def captioning_stopped(
    message: str, model_name: str = "", parent: QWidget | None = None, cat: Category | None = None
) -> ProblemBox:
    """Recognition failed for any other reason: say why; there is nothing to choose."""
    return ProblemBox(
        translate("MainWindow", "Captioning stopped"),
        problem_summary(PROBLEM_ENGINE),
        _advice(cat)
        or translate(
            "MainWindow",
            "Start again. If it keeps happening, copy the diagnostics (Help → Copy diagnostics) and report the "
            "problem with them. The captions so far are kept.",
        ),
        details=message,
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
DIALOGS: dict[str, Callable[[str, str, QWidget | None, Category | None], ProblemBox]] = {
    PROBLEM_MODEL: model_missing,
    PROBLEM_UNKNOWN_MODEL: unknown_model,
    PROBLEM_KEY: key_needed,
    PROBLEM_DEVICE: cannot_listen,
    PROBLEM_ENGINE: captioning_stopped,
}


def problem_box(
    kind: str,
    message: str,
    *,
    model_name: str = "",
    parent: QWidget | None = None,
    category: Category | None = None,
) -> ProblemBox:
    """The dialog for a problem the controller reported as (kind, message); `category`
    (when known) picks the advice among the categories that share the kind's dialog."""
    return DIALOGS[kind](message, model_name, parent, category)


def error_box(error: BaseException, *, model_name: str = "", parent: QWidget | None = None) -> ProblemBox:
    """The dialog for an error (its category decides which)."""
    return problem_box(
        problem_kind(error), user_message(error), model_name=model_name, parent=parent, category=category_of(error)
    )


def error_sentence(error: BaseException) -> str:
    """One translated sentence for an error, for places without a dialog (a status line,
    the file progress dialog): what happened and what to do, never the raw exception."""
    cat = category_of(error)
    return " ".join(t for t in (problem_summary(problem_kind(error)), _advice(cat)) if t)


async def ask(box: ProblemBox) -> str:
    """Show `box` window-modal (no nested event loop) and return the user's answer."""
    await dialogs.show(box)
    answer = box.answer()
    box.deleteLater()
    return answer

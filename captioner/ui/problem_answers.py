"""What the window does when the user answers a problem's dialog: open the tab where the
fix is, and take them to it (the model folder, the API key, the model name), or play the
demo instead of an input that cannot be opened.

The dialogs themselves, one per kind of problem, are in `error_dialogs`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget, QWidget

from captioner.errors import Category
from captioner.ui import error_dialogs
from captioner.ui.controller import PROBLEM_DEVICE, PROBLEM_KEY
from captioner.ui.engine_panel import EnginePanel
from captioner.ui.settings_tabs import ENGINE_TAB, INPUT_TAB

#: The tab a problem's dialog leaves open, whatever the answer.
TAB_AFTER_PROBLEM = {PROBLEM_KEY: ENGINE_TAB, PROBLEM_DEVICE: INPUT_TAB}


class ProblemAnswers(QObject):
    """`play_demo` starts the demo recording (the window's start_captions)."""

    def __init__(
        self, tabs: QTabWidget, engine_panel: EnginePanel, play_demo: Callable[[], Awaitable[object]], parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.tabs, self.engine_panel, self.play_demo, self.parent_widget = tabs, engine_panel, play_demo, parent
        self.follow: dict[str, Callable[[], None]] = {
            error_dialogs.ANSWER_USE_CLOUD: engine_panel.use_cloud,
            error_dialogs.ANSWER_USE_THIS_DEVICE: engine_panel.use_this_device,
            error_dialogs.ANSWER_ENTER_KEY: engine_panel.edit_api_key,
            error_dialogs.ANSWER_CHOOSE_ANOTHER_MODEL: engine_panel.edit_model_name,
        }

    async def ask(self, kind: str, message: str, category: Category | None = None) -> str:
        """Show the problem's dialog (error_dialogs.DIALOGS), do what the user chose, and
        return the answer. `category` (when known) picks the dialog's advice."""
        box = error_dialogs.problem_box(
            kind, message, model_name=self.engine_panel.model_name(), parent=self.parent_widget, category=category
        )
        answer = await error_dialogs.ask(box)
        if kind in TAB_AFTER_PROBLEM:
            self.tabs.setCurrentIndex(TAB_AFTER_PROBLEM[kind])
        if answer == error_dialogs.ANSWER_PLAY_DEMO:
            await self.play_demo()
        elif answer == error_dialogs.ANSWER_CHOOSE_MODEL_FOLDER:
            self.tabs.setCurrentIndex(ENGINE_TAB)
            await self.engine_panel.choose_model_folder()
        elif answer in self.follow:
            self.tabs.setCurrentIndex(ENGINE_TAB)
            self.follow[answer]()
        return answer

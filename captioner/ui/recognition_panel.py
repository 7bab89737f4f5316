"""Recognition settings: language hints, sentence breaking (VAD or semantic), silence, noise.

Every control's range comes from captioner.settings (the DashScope ranges). A number typed
out of range is not silently cut to its first digits (8000 used to become 800): it is
brought to the nearest end of the range and a line under the controls says so. The whole
set is validated once more by building a RecognitionSettings: the panel can never hand the pipeline settings the service or the
local engine would refuse. The offered languages follow the engine: for the cloud, the
model's documented list (Fun-ASR: zh, en, ja; Paraformer v2: the longer list); on this
device, what the loaded whisper model knows (English only for the built-in tiny.en, with a
line saying how to get more), so a language the engine would refuse cannot be ticked.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from captioner.recognition import catalog
from captioner.recognition.local.languages import ModelLanguages
from captioner.settings import (
    MAX_SENTENCE_SILENCE_RANGE,
    MODEL_LANGUAGES,
    SPEECH_NOISE_THRESHOLD_RANGE,
    RecognitionSettings,
    SettingsError,
)

#: Languages a translation can go into: English on the device, these in the cloud
#: (gummy-realtime-v1 translates between its source languages; docs/protocol.md §2.3).
TRANSLATION_TARGETS = ("en", "zh", "ja", "ko", "fr", "de", "es", "it", "ru")


def language_name(code: str) -> str:
    """A language's name in the UI language, with its code."""
    translate = QCoreApplication.translate
    names = {
        "zh": translate("Languages", "Chinese"),
        "en": translate("Languages", "English"),
        "ja": translate("Languages", "Japanese"),
        "yue": translate("Languages", "Cantonese"),
        "ko": translate("Languages", "Korean"),
        "de": translate("Languages", "German"),
        "fr": translate("Languages", "French"),
        "ru": translate("Languages", "Russian"),
        "es": translate("Languages", "Spanish"),
        "it": translate("Languages", "Italian"),
        "pt": translate("Languages", "Portuguese"),
        "vi": translate("Languages", "Vietnamese"),
        "th": translate("Languages", "Thai"),
        "ar": translate("Languages", "Arabic"),
        "hi": translate("Languages", "Hindi"),
        "id": translate("Languages", "Indonesian"),
        "ms": translate("Languages", "Malay"),
        "tl": translate("Languages", "Tagalog"),
        "nl": translate("Languages", "Dutch"),
        "sv": translate("Languages", "Swedish"),
        "da": translate("Languages", "Danish"),
        "fi": translate("Languages", "Finnish"),
        "no": translate("Languages", "Norwegian"),
        "el": translate("Languages", "Greek"),
        "pl": translate("Languages", "Polish"),
        "cs": translate("Languages", "Czech"),
        "hu": translate("Languages", "Hungarian"),
        "ro": translate("Languages", "Romanian"),
        "bg": translate("Languages", "Bulgarian"),
        "hr": translate("Languages", "Croatian"),
        "sk": translate("Languages", "Slovak"),
    }
    return f"{names.get(code, code)} ({code})"


def languages_for(model: str) -> tuple[str, ...]:
    """Languages to offer for a model: its documented list, else the model family's."""
    if model in MODEL_LANGUAGES:
        return MODEL_LANGUAGES[model]
    for name, langs in MODEL_LANGUAGES.items():
        if model.startswith(name.rsplit("-", 1)[0]):
            return langs
    return MODEL_LANGUAGES["fun-asr-realtime"]


def _typed_number(box: QSpinBox | QDoubleSpinBox, text: str) -> float | None:
    body = text.removeprefix(box.prefix()).removesuffix(box.suffix()).strip().replace(",", ".")
    try:
        return float(body)
    except ValueError:
        return None


class _Clamping:
    """What both spin boxes below share: while typing, a number out of range is allowed
    (Qt refuses the keystroke, so 8000 stops at 800); when editing ends it becomes the
    nearest end of the range, and `on_adjusted(typed, used, lowest, highest)` tells the panel."""

    on_adjusted: Callable[[str, str, str, str], None] | None = None

    def _validate(self, box, state: QValidator.State, text: str, pos: int):
        number = _typed_number(box, text)
        if state == QValidator.State.Invalid and number is not None:
            return QValidator.State.Intermediate, text, pos
        return state, text, pos

    def _fixup(self, box, text: str) -> str | None:
        number = _typed_number(box, text)
        if number is None or box.minimum() <= number <= box.maximum():
            return None
        used = min(max(number, box.minimum()), box.maximum())
        fixed = box.textFromValue(round(used) if isinstance(box, QSpinBox) else used)
        if self.on_adjusted is not None:
            typed = text.removeprefix(box.prefix()).removesuffix(box.suffix()).strip()
            self.on_adjusted(typed, fixed, box.textFromValue(box.minimum()), box.textFromValue(box.maximum()))
        return f"{box.prefix()}{fixed}{box.suffix()}"


class RangeSpinBox(_Clamping, QSpinBox):
    def validate(self, text: str, pos: int):
        state, text, pos = super().validate(text, pos)
        return self._validate(self, state, text, pos)

    def fixup(self, text: str) -> str:
        return self._fixup(self, text) or super().fixup(text)


class RangeDoubleSpinBox(_Clamping, QDoubleSpinBox):
    def validate(self, text: str, pos: int):
        state, text, pos = super().validate(text, pos)
        return self._validate(self, state, text, pos)

    def fixup(self, text: str) -> str:
        return self._fixup(self, text) or super().fixup(text)


class RecognitionPanel(QWidget):
    changed = Signal()
    #: The user wants to edit the cloud's hot-word vocabularies (the window opens the editor).
    edit_vocabularies = Signal()

    def __init__(self, settings: RecognitionSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base = settings or RecognitionSettings()
        self._language_boxes: dict[str, QCheckBox] = {}
        #: The on-device model's languages while the local engine is chosen and loaded.
        self._engine_languages: ModelLanguages | None = None

        self.languages = QWidget(self)
        self._languages_grid = QGridLayout(self.languages)
        self._languages_grid.setContentsMargins(0, 0, 0, 0)
        self.languages_hint = QLabel(self)
        self.languages_hint.setWordWrap(True)

        self.vad_radio = QRadioButton(self.tr("At pauses (VAD)"), self)
        self.semantic_radio = QRadioButton(self.tr("By meaning (semantic)"), self)
        self.vad_radio.setToolTip(self.tr("A sentence ends after a silence; lowest delay."))
        self.semantic_radio.setToolTip(
            self.tr("Sentences end where the meaning does; better sentences, a little more delay.")
        )
        group = QButtonGroup(self)
        group.addButton(self.vad_radio)
        group.addButton(self.semantic_radio)

        lo, hi = MAX_SENTENCE_SILENCE_RANGE
        self.max_silence = RangeSpinBox(self)
        self.max_silence.on_adjusted = lambda *values: self._adjusted(self.tr("Max sentence silence"), *values)
        self.max_silence.setRange(lo, hi)
        self.max_silence.setSingleStep(100)
        self.max_silence.setSuffix(self.tr(" ms"))
        self.max_silence.setToolTip(
            self.tr("Silence that ends a sentence (%1–%2 ms).").replace("%1", str(lo)).replace("%2", str(hi))
        )
        self.multi_threshold = QCheckBox(self.tr("Multi-threshold mode"), self)
        self.multi_threshold.setToolTip(self.tr("Keeps long sentences from running on."))

        nlo, nhi = SPEECH_NOISE_THRESHOLD_RANGE
        self.noise_custom = QCheckBox(self.tr("Custom noise threshold:"), self)
        self.noise = RangeDoubleSpinBox(self)
        self.noise.on_adjusted = lambda *values: self._adjusted(self.tr("Noise threshold"), *values)
        self.noise.setRange(nlo, nhi)
        self.noise.setSingleStep(0.05)
        self.noise.setDecimals(2)
        self.noise.setToolTip(
            self.tr("Higher ignores more background noise but may miss quiet speech (%1 to %2).")
            .replace("%1", f"{nlo:g}")
            .replace("%2", f"{nhi:g}")
        )

        self.punctuation = QCheckBox(self.tr("Punctuation"), self)
        self.itn = QCheckBox(self.tr("Write numbers as digits (ITN)"), self)
        self.disfluency = QCheckBox(self.tr("Remove filler words (Paraformer)"), self)
        self.heartbeat = QCheckBox(self.tr("Heartbeat (cloud)"), self)
        #: Translation (issue #18): each final's translation, on the device into English,
        #: in the cloud with gummy-realtime-v1.
        self.translate_to = QComboBox(self)
        self.translate_to.addItem(self.tr("No translation"), None)
        for code in TRANSLATION_TARGETS:
            self.translate_to.addItem(language_name(code), code)
        self.translate_to.setToolTip(
            self.tr(
                "On this device: into English (with a multilingual model). Other languages: the cloud's gummy-realtime-v1."
            )
        )
        self.keep_original = QCheckBox(self.tr("Show the original text too"), self)
        self.keep_original.setToolTip(self.tr("Off: captions show the translation alone."))
        self.heartbeat.setToolTip(self.tr("Keeps the cloud task alive through long silences."))
        self.hot_words = QLineEdit(self)
        self.hot_words.setPlaceholderText(self.tr("names, jargon… (comma-separated)"))
        self.hot_words.setToolTip(self.tr("Words the on-device engine should expect."))
        self.vocabulary = QLineEdit(self)
        # A short hint that fits the field; the whole story is in the tooltip.
        self.vocabulary.setPlaceholderText(self.tr("vocabulary id"))
        self.vocabulary.setToolTip(
            self.tr("The id of a hot-word vocabulary on Alibaba Cloud (or captioner serve); Edit… makes one.")
        )
        self.vocabulary_button = QPushButton(self.tr("Edit…"), self)
        self.vocabulary_button.setToolTip(
            self.tr("Create, edit and choose hot-word vocabularies on the cloud service.")
        )
        self.vocabulary_button.clicked.connect(self.edit_vocabularies)

        #: Says that a typed number was brought into range (until the next edit).
        self.adjusted_note = QLabel(self)
        self.adjusted_note.setWordWrap(True)
        self.adjusted_note.setStyleSheet("color: #b35c00")
        self.adjusted_note.hide()
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828")
        self.error.hide()

        noise_row = QHBoxLayout()
        noise_row.addWidget(self.noise_custom)
        noise_row.addWidget(self.noise)
        noise_row.addStretch(1)
        breaking = QVBoxLayout()
        breaking.addWidget(self.vad_radio)
        breaking.addWidget(self.semantic_radio)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.tr("Languages:"), self.languages)
        form.addRow("", self.languages_hint)
        form.addRow(self.tr("Sentences end:"), breaking)
        form.addRow(self.tr("Max sentence silence:"), self.max_silence)
        form.addRow("", self.multi_threshold)
        form.addRow("", noise_row)
        form.addRow(self.tr("Hot words:"), self.hot_words)
        vocabulary_row = QHBoxLayout()
        vocabulary_row.addWidget(self.vocabulary, 1)
        vocabulary_row.addWidget(self.vocabulary_button)
        form.addRow(self.tr("Vocabulary:"), vocabulary_row)
        for box in (self.punctuation, self.itn, self.disfluency, self.heartbeat):
            form.addRow("", box)
        form.addRow(self.tr("Translate into:"), self.translate_to)
        form.addRow("", self.keep_original)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.adjusted_note)
        layout.addWidget(self.error)
        layout.addStretch(1)

        self.set_settings(self._base)
        for box in (
            self.multi_threshold,
            self.noise_custom,
            self.punctuation,
            self.itn,
            self.disfluency,
            self.heartbeat,
            self.keep_original,
        ):
            box.toggled.connect(self._edited)
        self.translate_to.currentIndexChanged.connect(self._edited)
        self.vad_radio.toggled.connect(self._edited)
        self.max_silence.valueChanged.connect(self._edited)
        for spin in (self.max_silence, self.noise):
            line = spin.lineEdit()
            assert line is not None  # every spin box has one
            line.textEdited.connect(self.adjusted_note.hide)
        self.noise.valueChanged.connect(self._edited)
        self.hot_words.editingFinished.connect(self._edited)
        self.vocabulary.editingFinished.connect(self._edited)

    def _adjusted(self, what: str, typed: str, used: str, lowest: str, highest: str) -> None:
        self.adjusted_note.setText(
            self.tr("%1: %2 is outside the range the service accepts (%3 to %4); %5 is used instead.")
            .replace("%1", what)
            .replace("%2", typed)
            .replace("%3", lowest)
            .replace("%4", highest)
            .replace("%5", used)
        )
        self.adjusted_note.show()

    def use_vocabulary(self, vocabulary_id: str) -> None:
        """Put a vocabulary id (chosen in the editor) into the Vocabulary field."""
        self.vocabulary.setText(vocabulary_id)
        self._edited()

    # Languages ---------------------------------------------------------------------------

    def set_model(self, model: str) -> None:
        """Offer the languages `model` knows, keeping the ticks that still apply."""
        model = model.strip() or self._base.model
        self._base = self._safe_replace(model=model)
        self._offer_languages()

    def set_engine_languages(self, model: ModelLanguages | None) -> None:
        """The on-device model's languages (None: the cloud, or no model loaded yet, so the
        service model's list applies). Only these are offered from then on."""
        self._engine_languages = model
        self._offer_languages()

    def offered_languages(self) -> tuple[str, ...]:
        if self._engine_languages is not None:
            return self._engine_languages.languages
        return languages_for(self._base.model)

    def _offer_languages(self) -> None:
        """One tick box per offered language, keeping the ticks that still apply."""
        ticked = self.language_hints()
        for box in self._language_boxes.values():
            # Hidden at once: deleteLater waits for the event loop, and until then the old
            # box would still paint over the new one in the same grid cell.
            self._languages_grid.removeWidget(box)
            box.hide()
            box.deleteLater()
        self._language_boxes = {}
        self.languages_hint.setText(self._languages_note())
        for i, code in enumerate(self.offered_languages()):
            box = QCheckBox(language_name(code), self.languages)
            box.setChecked(code in ticked)
            box.toggled.connect(self._edited)
            self._language_boxes[code] = box
            self._languages_grid.addWidget(box, i // 3, i % 3)
        self._edited()

    def _languages_note(self) -> str:
        model = self._engine_languages
        if model is not None and not model.multilingual:
            return self.tr(
                "The on-device model (%1) understands English only. For other languages choose "
                "“Best for the language” or whisper base on the Engine tab, or Alibaba Cloud."
            ).replace("%1", model.name)
        if model is not None and catalog.asks_for_mixed_speech(
            self._safe_replace(language_hints=self.language_hints())
        ):
            # catalog.MIXED_SPEECH_NOTE: whisper base keeps almost none of them.
            return self.tr(
                "Chinese and English ticked: each sentence is written in one of them. On this device "
                "English words inside Chinese speech are often missed; Alibaba Cloud handles mixed speech."
            )
        return self.tr("None ticked: the engine works the language out.")

    def language_hints(self) -> tuple[str, ...]:
        return tuple(code for code, box in self._language_boxes.items() if box.isChecked())

    # Settings ---------------------------------------------------------------------------

    def set_settings(self, settings: RecognitionSettings) -> None:
        widgets = (
            self.vad_radio,
            self.semantic_radio,
            self.max_silence,
            self.multi_threshold,
            self.noise_custom,
            self.noise,
            self.punctuation,
            self.itn,
            self.disfluency,
            self.heartbeat,
            self.translate_to,
            self.keep_original,
        )
        for w in widgets:
            w.blockSignals(True)
        try:
            self._base = settings
            (self.semantic_radio if settings.semantic_punctuation_enabled else self.vad_radio).setChecked(True)
            self.max_silence.setValue(settings.max_sentence_silence)
            self.multi_threshold.setChecked(settings.multi_threshold_mode_enabled)
            self.noise_custom.setChecked(settings.speech_noise_threshold is not None)
            self.noise.setValue(settings.speech_noise_threshold or 0.0)
            self.punctuation.setChecked(settings.punctuation_prediction_enabled)
            self.itn.setChecked(settings.inverse_text_normalization_enabled)
            self.disfluency.setChecked(settings.disfluency_removal_enabled)
            self.heartbeat.setChecked(settings.heartbeat)
            self.hot_words.setText(", ".join(settings.hot_words))
            self.vocabulary.setText(settings.vocabulary_id or "")
            self.translate_to.setCurrentIndex(max(0, self.translate_to.findData(settings.translation_target)))
            self.keep_original.setChecked(settings.transcription_enabled)
        finally:
            for w in widgets:
                w.blockSignals(False)
        ticked = set(settings.language_hints)
        self.set_model(settings.model)
        for code, box in self._language_boxes.items():
            box.setChecked(code in ticked)
        self._enable()

    def settings(self) -> RecognitionSettings | None:
        """The validated settings, or None (and the reason shown) if they are not valid."""
        try:
            settings = self._build()
        except SettingsError as exc:
            self.error.setText(self.tr("Invalid setting: %1").replace("%1", str(exc)))
            self.error.show()
            return None
        self.error.hide()
        return settings

    def _build(self) -> RecognitionSettings:
        hot = tuple(w.strip() for w in self.hot_words.text().replace("，", ",").split(",") if w.strip())
        return RecognitionSettings(
            **{
                **self._base.to_dict(),
                "language_hints": self.language_hints(),
                "semantic_punctuation_enabled": self.semantic_radio.isChecked(),
                "max_sentence_silence": self.max_silence.value(),
                "multi_threshold_mode_enabled": self.multi_threshold.isChecked(),
                "speech_noise_threshold": round(self.noise.value(), 2) if self.noise_custom.isChecked() else None,
                "punctuation_prediction_enabled": self.punctuation.isChecked(),
                "inverse_text_normalization_enabled": self.itn.isChecked(),
                "disfluency_removal_enabled": self.disfluency.isChecked(),
                "heartbeat": self.heartbeat.isChecked(),
                "hot_words": hot,
                "vocabulary_id": self.vocabulary.text().strip() or None,
                "translation_target": self.translate_to.currentData(),
                # The original can be left out only when there is a translation to show.
                "transcription_enabled": self.keep_original.isChecked() or self.translate_to.currentData() is None,
            }
        )

    def _safe_replace(self, **changes) -> RecognitionSettings:
        try:
            return self._base.replace(**changes)
        except SettingsError:
            return self._base

    def _enable(self) -> None:
        vad = self.vad_radio.isChecked()
        self.max_silence.setEnabled(vad)
        self.multi_threshold.setEnabled(vad)
        self.noise.setEnabled(self.noise_custom.isChecked())
        self.keep_original.setEnabled(self.translate_to.currentData() is not None)
        self.languages_hint.setText(self._languages_note())

    def _edited(self, *_args) -> None:
        self._enable()
        if self.settings() is not None:
            self.changed.emit()

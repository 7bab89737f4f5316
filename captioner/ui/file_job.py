"""Caption a media file through the same pipeline, as fast as the engine goes, then save SRT.

The file is read with MediaSource(realtime=False) into its own CaptionSession, so it uses
exactly the code path of `captioner transcribe FILE --srt OUT`. Progress is the session
clock against the file's duration, held below 100 % until the last final is in and the
file written (the engine finishes the last sentence after the whole file has been read, so
"all audio read" is not "done"). Cancel abandons the job (nothing is written); the
subtitle file is written atomically only once every final is in, in the format its
extension names (talk.vtt is WebVTT: the extension the user typed is what they expect).

With `speakers` set (the dialog's "Label speakers"), the sentences are labelled with who
spoke them once they are all recognized, exactly as `captioner transcribe --diarize` does
it (recognition/local/diarization.py: `diarize_file`, then `label_sentences`), so the
subtitles carry "[Speaker N]" as the CLI's do. A failure there costs the labels, never the
sentences: the file is written without them and `speakers_failed` says why.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from captioner.audio.frames import AudioSourceError
from captioner.errors import ModelError, user_message
from captioner.events import RecognitionError
from captioner.pipeline import CaptionSession
from captioner.protocol.flash import FLASH_MODEL
from captioner.settings import RecognitionSettings
from captioner.transcript.model import Transcript
from captioner.ui.choices import EngineChoice
from captioner.ui.engine_host import EngineHost
from captioner.ui.error_dialogs import error_sentence
from captioner.ui.session_adapter import SessionAdapter

log = logging.getLogger(__name__)


def default_srt_path(media: str | Path) -> Path:
    """Subtitles next to the media file, as players look for them (talk.mp4 -> talk.srt)."""
    return Path(media).with_suffix(".srt")


#: Where the progress bar waits while the last sentence is decoded and the file written.
READ_ALL = 0.99


@dataclass(frozen=True)
class FlashChoice:
    """Caption the file with the cloud's synchronous call (docs/protocol.md §11) instead of a
    realtime task: the whole file in one request, with an optional context file."""

    context_file: str = ""
    model: str = FLASH_MODEL


def output_format(path: str | Path) -> str:
    """The export format a subtitle path names by its extension (SRT when it names none)."""
    ext = Path(path).suffix.lower().lstrip(".")
    return ext if ext in ("srt", "vtt", "txt", "json") else "srt"


@dataclass(frozen=True)
class SpeakerChoice:
    """Label each sentence with its speaker. `count`: at most this many speakers (None:
    as many as are heard), the CLI's --speakers."""

    count: int | None = None


class FileCaptionJob(QObject):
    progress = Signal(float)  # 0..1
    partial = Signal(str)
    final = Signal(str)
    status = Signal(str)
    #: Done: the subtitle file written, and how many sentences it holds.
    succeeded = Signal(str, int)
    #: Done: everything recognised (finals and gaps), for the transcript view.
    transcript = Signal(list)
    #: (what happened and what to do, translated; the technical detail).
    failed = Signal(str, str)
    cancelled = Signal()
    #: Recognition is done and the speakers are being told apart (the choice is taken).
    labelling = Signal()
    #: The speakers could not be told apart: (what happened, translated; the detail). The
    #: sentences are saved without labels all the same.
    speakers_failed = Signal(str, str)

    def __init__(self, engines: EngineHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engines = engines
        self.adapter = SessionAdapter(self)
        self.adapter.partial.connect(lambda s: self.partial.emit(s.text))
        self.adapter.final.connect(lambda s: self.final.emit(s.text))
        self.adapter.position.connect(self._on_position)
        self.adapter.source_failed.connect(self._on_source_failed)
        self._source_error = ""
        self._task: asyncio.Task | None = None
        self._duration_ms: int | None = None
        self.session: CaptionSession | None = None
        #: Read when recognition ends, not at start: the dialog lets the user change it
        #: while the file is being recognized.
        self.speakers: SpeakerChoice | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(
        self,
        media: str | Path,
        srt: str | Path,
        engine: EngineChoice,
        settings: RecognitionSettings,
        api_key: str = "",
        flash: FlashChoice | None = None,
    ) -> asyncio.Task:
        self._task = asyncio.ensure_future(self._run(Path(media), Path(srt), engine, settings, api_key, flash))
        return self._task

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            if self.session is not None:
                self.session.source.close()
            self._task.cancel()

    def _on_position(self, position_ms: int) -> None:
        if self._duration_ms:
            self.progress.emit(min(READ_ALL, position_ms / self._duration_ms))

    async def _run(
        self,
        media: Path,
        srt: Path,
        engine: EngineChoice,
        settings: RecognitionSettings,
        api_key: str,
        flash: FlashChoice | None = None,
    ) -> None:
        from captioner.transcript.export import write_exports

        self._source_error = ""
        try:
            if flash is not None:
                transcript = await self._flash(media, engine, settings, api_key, flash)
            else:
                transcript = await self._session(media, engine, settings, api_key)
                if self.speakers is not None:
                    await self._label_speakers(media, transcript, self.speakers)
            self.progress.emit(READ_ALL)
            targets: dict[str, Any] = {output_format(srt): srt}
            try:
                await asyncio.to_thread(write_exports, transcript.entries, **targets)
            except OSError as exc:  # not the input's fault: say where the problem is
                self.failed.emit(
                    self.tr(
                        "The subtitle file could not be written. Choose another folder, or check that the disk has "
                        "space and the file is not open elsewhere."
                    ),
                    str(exc),
                )
                return
        except asyncio.CancelledError:
            self.cancelled.emit()
            raise
        except (AudioSourceError, RecognitionError, OSError) as exc:
            self.failed.emit(error_sentence(exc), user_message(exc))
            return
        except Exception as exc:
            log.exception("captioning %s failed", media)
            self.failed.emit(error_sentence(exc), user_message(exc))
            return
        finally:
            self.adapter.detach()
        self.progress.emit(1.0)
        self.transcript.emit(transcript.entries)
        self.succeeded.emit(str(srt), len(transcript.finals))

    async def _session(
        self, media: Path, engine: EngineChoice, settings: RecognitionSettings, api_key: str
    ) -> Transcript:
        """The file through the one pipeline, as fast as the engine goes."""
        from captioner.audio.media import MediaSource

        self.status.emit(self.tr("Opening %1…").replace("%1", media.name))
        source = await asyncio.to_thread(MediaSource, media, realtime=False)
        self._duration_ms = source.duration_ms
        self.status.emit(self.tr("Loading the speech engine…"))
        recognizer = await self.engines.recognizer(engine, api_key)
        self.status.emit(self.tr("Captioning %1…").replace("%1", media.name))
        self.session = CaptionSession(source, recognizer, settings)
        self.adapter.attach(self.session)
        transcript = await self.session.run()
        if self._source_error:  # damaged or truncated: don't pass half a film off as whole
            raise AudioSourceError(self._source_error)
        return transcript

    async def _flash(
        self, media: Path, engine: EngineChoice, settings: RecognitionSettings, api_key: str, flash: FlashChoice
    ) -> Transcript:
        """The whole file in one synchronous call to the cloud (or a `captioner serve`)."""
        from captioner.recognition.cloud.flash import FlashClient, http_base_url

        context = ""
        if flash.context_file:
            context = await asyncio.to_thread(Path(flash.context_file).read_text, encoding="utf-8", errors="replace")
        self.status.emit(self.tr("Sending %1 to %2…").replace("%1", media.name).replace("%2", flash.model))
        client = FlashClient(
            http_base_url(engine.url or None), engine.region, api_key or None, engine.workspace or None
        )
        answer = await client.transcribe(
            media, context=context, model=flash.model, language_hints=settings.language_hints[:1]
        )
        for sentence in answer.sentences:
            self.final.emit(sentence.text)
        return Transcript(finals=list(answer.sentences))

    async def _label_speakers(self, media: Path, transcript: Transcript, speakers: SpeakerChoice) -> None:
        """Give each final its speaker, in place (the CLI's --diarize: on this device, with
        any engine). Decoding runs on the event loop as the session's does, and the speaker
        models in a worker thread, so the window never waits. On failure the finals are
        left as they are and `speakers_failed` says why."""
        from captioner.recognition.local import diarization

        self.labelling.emit()
        self.status.emit(self.tr("Telling speakers apart…"))
        try:
            turns = await diarization.diarize_file(media, speakers.count)
        except (AudioSourceError, ModelError, OSError) as exc:
            self.speakers_failed.emit(self._labels_lost(), user_message(exc))
            return
        except Exception as exc:  # the speaker models' C library: keep the sentences whatever it raises
            log.exception("telling the speakers of %s apart failed", media)
            self.speakers_failed.emit(self._labels_lost(), user_message(exc))
            return
        transcript.finals = diarization.label_sentences(transcript.finals, turns)

    def _labels_lost(self) -> str:
        return self.tr("The speakers could not be told apart, so the subtitles have no speaker labels.")

    def _on_source_failed(self, message: str) -> None:
        self._source_error = message

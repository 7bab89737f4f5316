"""Everything `captioner serve` answers, on one host and one port, as the cloud does.

    async with ServeApp(engine, port=8765) as app:
        app.realtime.url   # ws://127.0.0.1:8765/api-ws/v1/inference
        app.rest.url       # http://127.0.0.1:8765/api/v1

This is the list of services one `serve` mounts on its `web.WebHost`; a new endpoint is a
route of one of them (or a new service added to `services` below) and so shares the port:

    realtime  DashScopeServer  /api-ws/v1/inference (WebSocket: Fun-ASR, Paraformer realtime)
    rest      RestServer       /api/v1/services/audio/asr/transcription, /api/v1/tasks/...,
                               /api/v1/services/audio/asr/customization (vocabularies),
                               /api/v1/services/aigc/multimodal-generation/generation
                               (Fun-ASR-Flash, server/flash.py), /results/...

Both protocols share one vocabulary store: a realtime task naming a vocabulary made over
REST gets its words as hot words, as it would on the service.
"""

from __future__ import annotations

from collections.abc import Sequence

from captioner.recognition.base import Recognizer
from captioner.server.realtime import DashScopeServer
from captioner.server.rest import RestServer
from captioner.server.vocabularies import HotWordRecognizer, VocabularyStore
from captioner.server.web import Service, WebHost


class ServeApp:
    """The realtime service and the REST services over one engine, on one address.
    `extra_ports` serve the very same routes on further ports (the deprecated --http-port)."""

    def __init__(
        self,
        engine: Recognizer,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        max_sessions: int | None = None,
        extra_ports: Sequence[int] = (),
    ) -> None:
        self.vocabularies = VocabularyStore()
        engine = HotWordRecognizer(engine, self.vocabularies)
        self.realtime = DashScopeServer(engine, host=host, port=port, token=token, max_sessions=max_sessions)
        self.rest = RestServer(engine, host=host, port=port, token=token, vocabularies=self.vocabularies)
        services: list[Service] = [self.realtime, self.rest]
        self.web = WebHost(services, host=host, port=port, extra_ports=extra_ports)

    @property
    def port(self) -> int:
        return self.web.port

    async def start(self) -> None:
        """Load the engine, then listen; `port` (and each service's) holds the bound port."""
        await self.web.start()

    async def stop(self) -> None:
        await self.web.stop()

    async def __aenter__(self) -> ServeApp:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

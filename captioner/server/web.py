"""One address for every service `captioner serve` offers: HTTP and WebSocket on one port.

The cloud answers its REST calls and its realtime WebSocket on one host; so does `serve`.
`WebHost` binds one aiohttp application to one address (plus, for old command lines, extra
ports serving the same routes) and mounts the services on it. Each service is a `Service`:
it adds its own routes, loads what it needs before the port opens, and ends its
connections and tasks when the host stops. Where the routes are:

    DashScopeServer   realtime.py    GET /api-ws/v1/inference (WebSocket)
    RestServer        rest.py        /api/v1/... (file jobs, tasks, vocabularies), /results/...

`captioner.commands.serve` lists the services one `captioner serve` mounts; anything added
there is served on the same port. A path no service claims gets the gateway's 404 body.

aiohttp is only the transport: every JSON shape still comes from `captioner.protocol`, and
the WebSocket is wrapped in `WebSocketChannel` so the realtime connection handler sees
text/bytes frames and one exception type, not aiohttp's message objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from aiohttp import WSMsgType, web

from captioner.protocol.realtime import encode_http_error
from captioner.protocol.rest import RestErrorCode

log = logging.getLogger("captioner.serve")

#: The largest request body the application reads for any route. Routes keep their own,
#: smaller limits (the REST API takes 1 MB); this only bounds a body read whole, such as a
#: synchronous call carrying 5 minutes of audio inline as base64 (about 13 MB as WAV).
MAX_REQUEST_BYTES = 64 * 1024 * 1024
#: Seconds a stopping host waits for its connections to end before cancelling them.
SHUTDOWN_TIMEOUT = 5.0


class Service(Protocol):
    """What `WebHost` needs from a service it serves."""

    host: str
    port: int

    def add_routes(self, router: web.UrlDispatcher) -> None:
        """Register this service's routes (the only place its paths are named)."""

    async def prepare(self) -> None:
        """Load what the service needs (the engine) before the port opens."""

    async def shutdown(self) -> None:
        """End the service's connections and background tasks; the host is stopping."""


class WebHost:
    """`services` on one address: aiohttp's application, runner and listening sites.

    `port` 0 picks a free port; it holds the bound one after `start()`, and so does each
    service's `port`, so the URLs they hand out (result files, `url`) point here.
    `extra_ports` are further ports on the same host serving the very same routes (the
    deprecated `--http-port`).
    """

    def __init__(
        self,
        services: Sequence[Service],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        extra_ports: Sequence[int] = (),
    ) -> None:
        self.services = list(services)
        self.host = host
        self.port = port
        self.extra_ports = list(extra_ports)
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        for service in self.services:
            await service.prepare()
        app = web.Application(client_max_size=MAX_REQUEST_BYTES, handler_args={"max_field_size": 16 * 1024})
        for service in self.services:
            service.add_routes(app.router)
        app.router.add_route("*", "/{tail:.*}", _not_found)  # last: what no service claims
        app.on_shutdown.append(self._on_shutdown)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        try:
            first = web.TCPSite(runner, self.host, self.port, reuse_address=True)
            await first.start()
            self.port = _bound_ports(runner)[0]
            for extra in self.extra_ports:
                await web.TCPSite(runner, self.host, extra, reuse_address=True).start()
        except BaseException:
            await runner.cleanup()
            raise
        self.extra_ports = _bound_ports(runner)[1:]
        self._runner = runner
        for service in self.services:
            service.host, service.port = self.host, self.port

    async def stop_listening(self) -> None:
        """Refuse new connections; those open go on (until `stop`)."""
        if self._runner is not None:
            for site in list(self._runner.sites):
                await site.stop()

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> WebHost:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(s.shutdown() for s in self.services), return_exceptions=True)


def _bound_ports(runner: web.AppRunner) -> list[int]:
    """The port of each site, in the order they started (a host name that resolves to
    several addresses gives a site several sockets, all on the one port)."""
    return list(dict.fromkeys(int(address[1]) for address in runner.addresses))


async def _not_found(request: web.Request) -> web.Response:
    return gateway_error(404, RestErrorCode.NOT_FOUND, "Not found!")


def gateway_error(status: int, code: str, message: str, *, close: bool = False) -> web.Response:
    """An HTTP error in the gateway's shape: {"code", "message", "request_id"}, the request
    id also in `x-request-id` as the service sends it."""
    request_id = str(uuid.uuid4())
    response = web.Response(
        status=status,
        body=encode_http_error(code, message, request_id).encode("utf-8"),
        content_type="application/json",
        headers={"x-request-id": request_id},
    )
    if close:
        response.force_close()
    return response


class ChannelClosed(Exception):
    """The WebSocket is closed (or closing): nothing more can be sent on it."""


class WebSocketChannel:
    """One accepted WebSocket, as the realtime handler uses it: an async iterator of text
    (str) and binary (bytes) frames that ends when the connection closes, `send`, `close`
    and `abort`. Pings, pongs and the close handshake are aiohttp's."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request) -> None:
        self._ws = ws
        self._request = request

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        while True:
            message = await self._ws.receive()
            if message.type is WSMsgType.TEXT or message.type is WSMsgType.BINARY:
                yield message.data
            elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                return  # an ERROR (a frame over the size limit: close 1009) has closed it already

    async def send(self, frame: str | bytes) -> None:
        """Send one frame; ChannelClosed if the connection is closing or gone."""
        if self._ws.closed:
            raise ChannelClosed
        try:
            if isinstance(frame, str):
                await self._ws.send_str(frame)
            else:
                await self._ws.send_bytes(frame)
        except ConnectionError as exc:
            raise ChannelClosed from exc

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """The close handshake (waits for the client's close frame, at most the timeout)."""
        with contextlib.suppress(ConnectionError):
            await self._ws.close(code=code, message=reason.encode("utf-8"))

    def abort(self) -> None:
        """Cut the TCP connection without a close frame (fault tests)."""
        transport = self._request.transport
        if transport is not None:
            transport.abort()

    @property
    def closed(self) -> bool:
        return self._ws.closed

    @property
    def remote_address(self) -> tuple[str, int] | None:
        transport = self._request.transport
        peername = transport.get_extra_info("peername") if transport is not None else None
        return (peername[0], peername[1]) if peername else None

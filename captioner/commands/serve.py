"""`captioner serve`: the DashScope (Fun-ASR) services over the on-device engine, on one port.

Point the official SDK at it and it answers like the cloud service, REST and WebSocket on
the same host and port (captioner/server/app.py lists what is served)::

    dashscope.base_websocket_api_url = "ws://127.0.0.1:8765/api-ws/v1/inference"
    dashscope.base_http_api_url = "http://127.0.0.1:8765/api/v1"   # files, vocabularies, Flash

--http-port, which used to put the REST API on a port of its own, is deprecated: it still
serves everything on that port as well, with a warning.

Binds to 127.0.0.1 unless told otherwise. With --token (or CAPTIONER_SERVE_TOKEN), clients
must send `Authorization: Bearer <token>`; without one, any key is accepted, so do not
expose a token-less server beyond this machine. Exit codes (captioner.errors, plus 3): 0
stopped, 2 bad arguments (also a bad CAPTIONER_COMPUTE_TYPE), 3 address in use, 4 no speech
model, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from captioner.errors import EXIT_CODES, EXIT_OK, Category

if TYPE_CHECKING:
    from captioner.recognition.base import Recognizer

EXIT_USAGE, EXIT_MODEL, EXIT_INTERRUPTED = (
    EXIT_CODES[c] for c in (Category.PARAMETER, Category.MODEL, Category.INTERRUPTED)
)
EXIT_ADDRESS = 3


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--token", help="API key clients must send as 'Authorization: Bearer ...' "
                                   "(default: $CAPTIONER_SERVE_TOKEN; none = accept any)")  # fmt: skip
    p.add_argument("--max-sessions", type=int, default=4, metavar="N",
                   help="recognition tasks at once; more are refused with Throttling (default 4)")  # fmt: skip
    from captioner.recognition import catalog

    p.add_argument("--engine", choices=catalog.engine_names(), default=catalog.LOCAL, metavar="NAME",
                   help="local (default: per task, the best on-device engine for its language_hints), "
                        f"{', '.join(catalog.engine_names()[1:])}")  # fmt: skip
    p.add_argument("--model-dir", metavar="DIR", help="on-device whisper model folder (CTranslate2), for local")
    p.add_argument("--http-port", type=int, metavar="PORT",
                   help="deprecated: --port serves the REST API too; this also serves everything on PORT, "
                        "for clients still set up for it")  # fmt: skip
    p.add_argument("--verbose", "-v", action="store_true", help="log every task")


def run(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from captioner import logs
    from captioner.events import RecognitionError
    from captioner.logs import setup_logging
    from captioner.server.app import ServeApp

    if args.max_sessions < 1:
        print("captioner serve: --max-sessions must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.port <= 65535:
        print("captioner serve: --port must be between 0 and 65535", file=sys.stderr)
        return EXIT_USAGE
    http_port = getattr(args, "http_port", None)
    if http_port is not None and not 0 <= http_port <= 65535:
        print("captioner serve: --http-port must be between 0 and 65535", file=sys.stderr)
        return EXIT_USAGE
    token = args.token or os.environ.get("CAPTIONER_SERVE_TOKEN") or None
    logs.register_secret(token)  # never in a log line, whatever later repeats it
    # Per-connection chatter (websockets, faster_whisper) stays out unless CAPTIONER_LOG=debug.
    setup_logging(
        logging.INFO if args.verbose else logging.WARNING,
        console_format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        keep_existing=True,  # `captioner serve` set it up already; so may a test calling run()
    )
    if token is None and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"captioner serve: warning: listening on {args.host} without --token; anyone who can reach "
              "this port can use the engine", file=sys.stderr)  # fmt: skip

    from captioner.recognition.engines import create_recognizer

    try:
        engine: Recognizer = create_recognizer(getattr(args, "engine", "local"), model_dir=args.model_dir)
    except (ValueError, RecognitionError) as exc:  # a missing weight package (4), no API key (2), ...
        from captioner.errors import exit_code

        print(f"captioner serve: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return exit_code(exc)
    if http_port is not None:
        print("captioner serve: --http-port is deprecated: --port serves the REST API too (one host, one "
              "port, as the cloud); PORT serves the same for now", file=sys.stderr)  # fmt: skip
    extra = [http_port] if http_port is not None and (http_port == 0 or http_port != args.port) else []
    app = ServeApp(engine, host=args.host, port=args.port, token=token, max_sessions=args.max_sessions,
                   extra_ports=extra)  # fmt: skip

    async def main() -> None:
        await app.start()
        try:
            print(f"Serving the DashScope realtime protocol on {app.realtime.url}", flush=True)
            print(f"Serving DashScope file transcription, vocabularies and Fun-ASR-Flash on {app.rest.url}",
                  flush=True)  # fmt: skip
            if app.web.extra_ports:
                ports = ", ".join(str(p) for p in app.web.extra_ports)
                print(f"Also serving all of it on port {ports} (--http-port, deprecated)", flush=True)
            print("Press Ctrl-C to stop.", file=sys.stderr, flush=True)
            await asyncio.Future()
        finally:
            await app.stop()

    try:
        asyncio.run(main())
    except RecognitionError as exc:  # the model (4), or CAPTIONER_COMPUTE_TYPE (2)
        from captioner.errors import exit_code

        print(f"captioner serve: {exc.message}", file=sys.stderr)
        return exit_code(exc)
    except OSError as exc:
        print(f"captioner serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ADDRESS
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK

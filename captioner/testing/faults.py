"""A realtime server that misbehaves on purpose, to prove clients survive it.

    async with FaultyServer(recognizer, fault_plan=FaultPlan(drop_after_frames=60)) as server:
        ...  # every connection is cut after its 60th audio frame (once; see `times`)

Faults come from outside the product: `FaultyServer` only swaps the connection class the
real `DashScopeServer` uses, so everything else a client meets is the real server.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from captioner.protocol import realtime as p
from captioner.protocol.realtime import ErrorCode
from captioner.server.connection import ConnectionHandler, peer
from captioner.server.realtime import DashScopeServer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaultPlan:
    """Audio frames are counted per connection. A connection is eligible when its number
    (1, 2, 3, ... in order of arrival) is a multiple of `every_nth_connection`; `times`
    limits how many connections get a fault in all (None: every eligible one).
    """

    #: Cut the TCP connection without a close frame after this many audio frames.
    drop_after_frames: int | None = None
    #: Answer task-failed with fail_code / fail_message after this many audio frames.
    fail_after_frames: int | None = None
    fail_code: str = ErrorCode.INTERNAL_ERROR
    fail_message: str = "injected failure"
    every_nth_connection: int = 1
    times: int | None = 1
    #: Seconds to wait before sending each event (task-started, results, ...).
    event_delay: float = 0.0


class FaultyServer(DashScopeServer):
    """`DashScopeServer` following a `FaultPlan` (None, or set later: behaves)."""

    def __init__(self, *args: Any, fault_plan: FaultPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fault_plan = fault_plan
        self.faults_injected = 0
        self.handler_class = _FaultyConnection

    def fault_due(self, connection_number: int, frames: int) -> str | None:
        """'drop' or 'fail' if the plan says this connection misbehaves now."""
        plan = self.fault_plan
        if plan is None or connection_number % max(1, plan.every_nth_connection):
            return None
        if plan.times is not None and self.faults_injected >= plan.times:
            return None
        if frames == plan.drop_after_frames:
            return "drop"
        if frames == plan.fail_after_frames:
            return "fail"
        return None


class _FaultyConnection(ConnectionHandler):
    server: FaultyServer

    async def _on_audio(self, data: bytes) -> None:
        fault = self.server.fault_due(self.number, self.audio_frames + 1)
        if fault == "drop":
            self.server.faults_injected += 1
            log.info("%s: fault plan: dropping the connection", peer(self.ws))
            self.audio_frames += 1
            self.closing = True
            self.ws.abort()
            return
        await super()._on_audio(data)
        plan = self.server.fault_plan
        if fault == "fail" and plan is not None:
            self.server.faults_injected += 1
            await self._fail(plan.fail_code, plan.fail_message)

    async def _send(self, event: p.ServerEvent) -> bool:
        plan = self.server.fault_plan
        if plan is not None and plan.event_delay:
            await asyncio.sleep(plan.event_delay)
        return await super()._send(event)

"""Words for the status bar: session states and the engine's latency figures.

Kept apart from the window so the wording (and its translation) is in one place and the
formatting of metrics can be tested without widgets.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from captioner.pipeline import SessionState

translate = QCoreApplication.translate


def state_text(state: SessionState, detail: str = "") -> str:
    """What the state label says; the detail (a reason, a step) follows when given."""
    names = {
        SessionState.IDLE: translate("Status", "Ready"),
        SessionState.STARTING: translate("Status", "Starting…"),
        SessionState.LISTENING: translate("Status", "Listening"),
        SessionState.RECONNECTING: translate("Status", "Reconnecting…"),
        SessionState.STOPPING: translate("Status", "Finishing the last sentence…"),
        SessionState.STOPPED: translate("Status", "Stopped"),
        SessionState.ERROR: translate("Status", "Error"),
    }
    name = names[state]
    return f"{name} — {detail}" if detail else name


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s"


def metrics_text(metrics: dict) -> str:
    """A compact line from an engine's metrics dict (keys differ per engine; unknown ones
    are skipped, so a new engine shows what it shares with the others)."""
    parts = []
    for key, label in (
        ("final_delay_ms_last", translate("Status", "final after")),  # on-device engine
        ("first_package_delay_ms", translate("Status", "first result after")),  # cloud
        ("last_package_delay_ms", translate("Status", "final after")),  # cloud
        ("reconnect_latency_ms", translate("Status", "last reconnect took")),
    ):
        value = metrics.get(key)
        if isinstance(value, (int, float)) and value > 0:
            parts.append(f"{label} {_seconds(value)}")
    rtf = metrics.get("rtf")
    if isinstance(rtf, (int, float)) and rtf > 0:
        parts.append(translate("Status", "RTF %1").replace("%1", f"{rtf:.2f}"))
    backlog = metrics.get("backlog_ms")
    if isinstance(backlog, (int, float)) and backlog >= 1000:
        parts.append(translate("Status", "%1 behind").replace("%1", _seconds(backlog)))
    reconnects = metrics.get("reconnects")
    if isinstance(reconnects, int) and reconnects > 0:
        parts.append(translate("Status", "reconnected %1×").replace("%1", str(reconnects)))
    dropped = metrics.get("dropped_ms") or metrics.get("dropped_frames")
    if isinstance(dropped, (int, float)) and dropped > 0:
        parts.append(translate("Status", "audio dropped"))
    return " · ".join(parts)

"""The session transcript: the finals so far, the gaps, plus the one partial being spoken.

Partials replace each other; a final appends and clears the partial. A gap marks audio that
was dropped (the engine could not keep up), so that readers of the transcript and of every
export know something is missing there. All times are on the session clock, so whatever
produced the sentences (a reconnected cloud task, a file read faster than real time) the
transcript reads in order.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, field

from captioner.events import Gap, Sentence

#: What the transcript holds in time order: a final sentence or a gap marker.
Entry = Sentence | Gap


def entry_position(entry: Entry) -> tuple[int, int]:
    """Sort key for time order. A gap sorts before a sentence starting at the same ms: the
    audio it stands for was lost before the frame stamped with that position."""
    if isinstance(entry, Gap):
        return (entry.at_ms, 0)
    return (entry.begin_ms, 1)


def in_time_order(sentences: list[Sentence], gaps: list[Gap]) -> list[Entry]:
    """Sentences in arrival order with the gaps (in time order) merged in by position."""
    if not gaps:
        return list(sentences)
    return list(heapq.merge(list[Entry](sentences), list[Entry](gaps), key=entry_position))


@dataclass
class Transcript:
    finals: list[Sentence] = field(default_factory=list)
    partial: Sentence | None = None
    #: Dropped audio, in time order.
    gaps: list[Gap] = field(default_factory=list)

    def apply(self, event: Sentence | Gap) -> None:
        if isinstance(event, Gap):
            bisect.insort(self.gaps, event, key=lambda g: g.at_ms)
        elif event.final:
            self.finals.append(event)
            self.partial = None
        else:
            self.partial = event

    @property
    def entries(self) -> list[Entry]:
        """Finals and gaps in time order: what the exporters take."""
        return in_time_order(self.finals, self.gaps)

    @property
    def dropped_ms(self) -> int:
        """All the audio the gaps stand for."""
        return sum(g.duration_ms for g in self.gaps)

    @property
    def text(self) -> str:
        """The finals' text, one sentence per line."""
        return "\n".join(s.text for s in self.finals)

    @property
    def end_ms(self) -> int:
        return self.finals[-1].end_ms if self.finals else 0

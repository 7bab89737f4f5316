"""The session transcript: the finals so far plus the one partial being spoken.

Partials replace each other; a final appends and clears the partial. All times are on the
session clock, so whatever produced the sentences (a reconnected cloud task, a file read
faster than real time) the transcript reads in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from captioner.recognition.events import Sentence


@dataclass
class Transcript:
    finals: list[Sentence] = field(default_factory=list)
    partial: Sentence | None = None

    def apply(self, sentence: Sentence) -> None:
        if sentence.final:
            self.finals.append(sentence)
            self.partial = None
        else:
            self.partial = sentence

    @property
    def text(self) -> str:
        """The finals' text, one sentence per line."""
        return "\n".join(s.text for s in self.finals)

    @property
    def end_ms(self) -> int:
        return self.finals[-1].end_ms if self.finals else 0

"""Translated transcripts in every file (issue #18): original, translation, or both.

SRT/WebVTT "both" cues are two lines (the original over its translation); TXT puts each
translation under its sentence; JSON and the crash journal keep both fields and read them
back. Without translations every format is exactly what it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from captioner.events import Gap, Sentence, Translation, Word
from captioner.transcript.export import EXPORTERS, ExportOptions, loads_json, to_srt, to_txt, to_vtt, write_exports
from captioner.transcript.export.bilingual import share_out
from captioner.transcript.journal import Journal, load_session

SHORT = Sentence(
    "我们去吃饭吧。",
    300,
    2260,
    True,
    (Word(300, 740, "我们"), Word(740, 1160, "去"), Word(1160, 1980, "吃饭"), Word(1980, 2260, "吧", "。")),
    1,
    translation=Translation("en", "Let's go to the restaurant."),
)
FRIEND = Sentence("这是我的朋友。", 4544, 6124, True, (), 2, translation=Translation("en", "This is my friend."))
#: A long sentence the layout must cut into several cues.
LONG = Sentence(
    "今天我们一起讨论一下这个项目的进度还有下个月的计划以及每个人需要负责的具体工作内容。",
    7000,
    15000,
    True,
    (),
    3,
    translation=Translation(
        "en",
        "Today we will discuss the progress of this project, next month's plan and the specific work each person is responsible for.",
    ),
)
PLAIN = [Sentence("Hello there.", 0, 1000, True, (), 1), Gap(1000, 3200), Sentence("Bye now.", 4200, 5000, True, (), 2)]


def render(name: str, entries: list, text: str = "both") -> str:
    return EXPORTERS[name].render(entries, ExportOptions(text=text))


def srt_cues(srt: str) -> list[list[str]]:
    return [block.split("\n")[2:] for block in srt.strip().split("\n\n")]


def test_srt_both_puts_each_translation_under_its_line() -> None:
    cues = srt_cues(render("srt", [SHORT, FRIEND]))
    assert cues == [["我们去吃饭吧。", "Let's go to the restaurant."], ["这是我的朋友。", "This is my friend."]]


def test_a_long_sentence_shares_its_translation_out_over_its_cues() -> None:
    cues = srt_cues(render("srt", [LONG]))
    assert len(cues) > 1 and all(len(lines) == 2 for lines in cues)
    assert "".join(lines[0] for lines in cues) == LONG.text  # the original, all of it, once
    assert " ".join(lines[1] for lines in cues) == LONG.translation.text  # type: ignore[union-attr]


def test_vtt_both_has_two_lines_per_cue_and_is_escaped() -> None:
    s = Sentence("A<B", 0, 900, True, translation=Translation("zh", "甲<乙"))
    vtt = render("vtt", [s])
    assert vtt == "WEBVTT\n\n1\n00:00:00.000 --> 00:00:00.900\nA&lt;B\n甲&lt;乙\n\n"


@pytest.mark.parametrize("name", ["srt", "vtt", "txt"])
def test_original_and_translation_alone(name: str) -> None:
    original = render(name, [SHORT, FRIEND], "original")
    translation = render(name, [SHORT, FRIEND], "translation")
    assert "我们去吃饭吧" in original and "restaurant" not in original
    assert "restaurant" in translation and "我们" not in translation
    assert "friend" in translation


def test_translation_alone_is_laid_out_as_a_plain_transcript() -> None:
    as_plain = [Sentence(s.translation.text, s.begin_ms, s.end_ms, True, (), s.sentence_id) for s in (SHORT, FRIEND)]  # type: ignore[union-attr]
    assert render("srt", [SHORT, FRIEND], "translation") == to_srt(as_plain)


def test_txt_both_pairs_each_sentence_with_its_translation() -> None:
    assert (
        render("txt", [SHORT, FRIEND])
        == "我们去吃饭吧。\nLet's go to the restaurant.\n这是我的朋友。\nThis is my friend.\n"
    )
    stamped = EXPORTERS["txt"].render([SHORT], ExportOptions(text="both", txt_timestamps=True))
    assert stamped == "[00:00:00] 我们去吃饭吧。\n           Let's go to the restaurant.\n"


def test_a_sentence_sent_as_translation_alone_keeps_its_text_in_every_choice() -> None:
    only = Sentence("", 0, 1500, True, (), 1, translation=Translation("en", "Good morning."))
    for choice in ("original", "translation", "both"):
        assert "Good morning." in render("srt", [only], choice)
        assert render("txt", [only], choice) == "Good morning.\n"


def test_json_keeps_both_fields_and_reads_them_back() -> None:
    text = render("json", [SHORT, FRIEND])
    sentences = json.loads(text)["transcripts"][0]["sentences"]
    assert sentences[0]["translation"] == {"language": "en", "text": "Let's go to the restaurant.", "words": []}
    back, _ = loads_json(text)
    assert back == [SHORT, FRIEND]
    assert "translation" not in render("json", [SHORT], "original")
    assert json.loads(render("json", [SHORT], "translation"))["transcripts"][0]["text"] == "Let's go to the restaurant."


def test_the_journal_keeps_the_translation(tmp_path: Path) -> None:
    journal = Journal.create({"engine": "test"}, directory=tmp_path)
    journal.append(SHORT)
    journal.append(FRIEND)
    journal.close()
    _, entries, _ = load_session(journal.path)
    assert entries == [SHORT, FRIEND]


def test_untranslated_transcripts_come_out_as_before() -> None:
    for choice in ("original", "translation", "both"):
        assert render("srt", PLAIN, choice) == to_srt(PLAIN)
        assert render("vtt", PLAIN, choice) == to_vtt(PLAIN)
        assert render("txt", PLAIN, choice) == to_txt(PLAIN)


def test_write_exports_takes_the_choice(tmp_path: Path) -> None:
    (srt,) = write_exports([SHORT], srt=tmp_path / "a.srt", text="translation")
    assert srt.read_text() == "1\n00:00:00,300 --> 00:00:02,260\nLet's go to the restaurant.\n\n"
    with pytest.raises(ValueError, match="text must be one of original, translation, both"):
        ExportOptions(text="english")


@pytest.mark.parametrize(
    ("text", "weights", "parts"),
    [
        ("one two three four", [1, 1], ["one two", "three four"]),
        ("one two three", [3, 1], ["one two", "three"]),
        ("我们去吃饭", [2, 3], ["我们", "去吃饭"]),
        ("a", [1, 1, 1], ["", "a", ""]),
    ],
)
def test_share_out_keeps_every_word_once(text: str, weights: list[int], parts: list[str]) -> None:
    assert share_out(text, weights) == parts


def test_the_live_srt_of_a_translated_session_is_the_export(tmp_path: Path) -> None:
    from captioner.transcript.live_srt import LiveSrtWriter

    later = Sentence("下一句。", 16000, 17500, True, (), 4, translation=Translation("en", "The next one."))
    alone = Sentence("", 18000, 19000, True, (), 5, translation=Translation("en", "Translation alone."))
    finals = [SHORT, FRIEND, LONG, later, alone]
    live = LiveSrtWriter(tmp_path / "live.srt")
    for i, s in enumerate(finals):
        live.append(s)
        assert live.path.read_text() == render("srt", finals[: i + 1])
    assert "The next one." in live.path.read_text() and "Translation alone." in live.path.read_text()
    live.append_gap(Gap(15500, 400))  # a gap: laid out whole, still two lines per cue
    assert live.path.read_text() == render("srt", [*finals, Gap(15500, 400)])
    # Out of order, then back in: the same as an export again.
    earlier = Sentence("更早。", 3000, 3900, True, (), 6, translation=Translation("en", "Earlier."))
    live2 = LiveSrtWriter(tmp_path / "live2.srt")
    for s in [SHORT, FRIEND, earlier]:
        live2.append(s)
    assert live2.path.read_text() == render("srt", [SHORT, FRIEND, earlier])

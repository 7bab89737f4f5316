"""protocol.py from bytes alone: the SDK's recorded frames, the state machines, the mappings.

No sockets here. The capture below is the evidence of what the official SDK (2.0.2) sends
and what it accepted back; every frame goes through both state machines, and every server
frame we would send must come out byte for byte as recorded.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from captioner.events import Sentence, Usage, Word
from captioner.protocol import realtime as p
from captioner.protocol.realtime import ErrorCode, State
from captioner.settings import LANGUAGES, RecognitionSettings, SettingsError

# Every WebSocket session the official SDK (dashscope 2.0.2) held with a mock server,
# captured and copied verbatim (what they teach is in docs/protocol.md): (direction, frame).
# 'C' = client text frame, 'S' = server text frame,
# 'B' = the sizes of a run of binary audio frames. Keyed by capture section.
CAPTURE: list[tuple[str, list[tuple[str, object]]]] = [
    (
        "1",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "859f21f806c94a19a0757dcb182581cb", "action": "run-task"}, "payload": {"model": "fun-asr-realtime", "parameters": {"sample_rate": 16000, "format": "pcm", "language_hints": ["zh"], "semantic_punctuation_enabled": false, "max_sentence_silence": 800, "multi_threshold_mode_enabled": true, "heartbeat": false, "vocabulary_id": "vocab-test-123", "speech_noise_threshold": 0.2, "disfluency_removal_enabled": true}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":""}]}},"usage":null}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3词6","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":600,"text":"词3词6","punctuation":""}]}},"usage":null}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":900,"text":"词3词6词9","heartbeat":false,"sentence_end":true,"sentence_id":1,"words":[{"begin_time":0,"end_time":900,"text":"词3词6词9","punctuation":"。"}]}},"usage":{"duration":1}}}',
            ),
            ("B", [3200]),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "859f21f806c94a19a0757dcb182581cb", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "1",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "859f21f806c94a19a0757dcb182581cb", "action": "run-task"}, "payload": {"model": "fun-asr-realtime", "parameters": {"sample_rate": 16000, "format": "pcm", "language_hints": ["zh"], "semantic_punctuation_enabled": false, "max_sentence_silence": 800, "multi_threshold_mode_enabled": true, "heartbeat": false, "vocabulary_id": "vocab-test-123", "speech_noise_threshold": 0.2, "disfluency_removal_enabled": true}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":""}]}},"usage":null}}',
            ),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "859f21f806c94a19a0757dcb182581cb", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":300,"text":"词3","heartbeat":false,"sentence_end":true,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":"。"}]}},"usage":{"duration":1}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"859f21f806c94a19a0757dcb182581cb","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "2",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "16c4311278c1495298368afa6bfe0f42", "action": "run-task"}, "payload": {"model": "paraformer-realtime-v2", "parameters": {"sample_rate": 16000, "format": "wav", "language_hints": ["zh", "en"]}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"16c4311278c1495298368afa6bfe0f42","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [12800, 12800, 12800]),
            (
                "S",
                '{"header":{"task_id":"16c4311278c1495298368afa6bfe0f42","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":300,"end_time":null,"text":"词3","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":300,"end_time":1200,"text":"词3","punctuation":""}]}},"usage":null}}',
            ),
            ("B", [12800, 12800, 12800]),
            (
                "S",
                '{"header":{"task_id":"16c4311278c1495298368afa6bfe0f42","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":1500,"end_time":null,"text":"词3词6","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":1500,"end_time":2400,"text":"词3词6","punctuation":""}]}},"usage":null}}',
            ),
            ("B", [12800, 6444]),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "16c4311278c1495298368afa6bfe0f42", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"16c4311278c1495298368afa6bfe0f42","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":2101,"end_time":3001,"text":"词3词6","heartbeat":false,"sentence_end":true,"sentence_id":1,"words":[{"begin_time":2101,"end_time":3001,"text":"词3词6","punctuation":"。"}]}},"usage":{"duration":3}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"16c4311278c1495298368afa6bfe0f42","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "3",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "f4c65f5daa4e4998a093baeadc4186a4", "action": "run-task"}, "payload": {"model": "fun-asr-realtime", "parameters": {"sample_rate": 16000, "format": "pcm"}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"f4c65f5daa4e4998a093baeadc4186a4","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200]),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "f4c65f5daa4e4998a093baeadc4186a4", "action": "continue-task"}, "payload": {"input": {"context": [{"role": "user", "content": [{"type": "input_text", "text": "阿里巴巴"}]}]}}}',
            ),
            ("B", [3200]),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "f4c65f5daa4e4998a093baeadc4186a4", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"f4c65f5daa4e4998a093baeadc4186a4","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "4",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "b053ff7732934bbea1b886b1114cccdf", "action": "run-task"}, "payload": {"model": "fun-asr-realtime", "parameters": {"sample_rate": 16000, "format": "pcm", "special_word_filter": "{\\"system_reserved_filter\\": true}"}, "input": {"context": [{"role": "user", "content": [{"type": "input_text", "text": "赛德克巴莱"}]}]}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"b053ff7732934bbea1b886b1114cccdf","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200]),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "b053ff7732934bbea1b886b1114cccdf", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"b053ff7732934bbea1b886b1114cccdf","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "5",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "b9417973366946cfa7f13c2be039faee", "action": "run-task"}, "payload": {"model": "paraformer-realtime-v1", "parameters": {"sample_rate": 16000, "format": "pcm"}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition", "resources": [{"resource_id": "phrase-abc", "resource_type": "asr_phrase"}]}}',
            ),
            (
                "S",
                '{"header":{"task_id":"b9417973366946cfa7f13c2be039faee","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200]),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "b9417973366946cfa7f13c2be039faee", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"b9417973366946cfa7f13c2be039faee","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "6",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "37d1d236d9ba43058ca5a340fa679b99", "action": "run-task"}, "payload": {"model": "mock-fail-start", "parameters": {"sample_rate": 16000, "format": "pcm"}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"37d1d236d9ba43058ca5a340fa679b99","event":"task-failed","error_code":"InvalidParameter","error_message":"Model not found (mock)","attributes":{}},"payload":{}}',
            ),
        ],
    ),
    (
        "7",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "4680b13c52104e33b7e3597f85d3bf45", "action": "run-task"}, "payload": {"model": "mock-fail-mid", "parameters": {"sample_rate": 16000, "format": "pcm"}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"4680b13c52104e33b7e3597f85d3bf45","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"4680b13c52104e33b7e3597f85d3bf45","event":"task-failed","error_code":"NO_VALID_AUDIO_ERROR","error_message":"mock: invalid audio","attributes":{}},"payload":{}}',
            ),
        ],
    ),
    (
        "9",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "0693bcc4a90847a080df9c80c003823d", "action": "run-task"}, "payload": {"model": "mock-heartbeat", "parameters": {"sample_rate": 16000, "format": "pcm"}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"0693bcc4a90847a080df9c80c003823d","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200]),
            (
                "S",
                '{"header":{"task_id":"0693bcc4a90847a080df9c80c003823d","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"","heartbeat":true,"sentence_end":false,"sentence_id":0,"words":[]}},"usage":null}}',
            ),
            ("B", [3200]),
            (
                "S",
                '{"header":{"task_id":"0693bcc4a90847a080df9c80c003823d","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"","heartbeat":true,"sentence_end":false,"sentence_id":0,"words":[]}},"usage":null}}',
            ),
            ("B", [3200]),
            (
                "S",
                '{"header":{"task_id":"0693bcc4a90847a080df9c80c003823d","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"","heartbeat":true,"sentence_end":false,"sentence_id":0,"words":[]}},"usage":null}}',
            ),
            ("B", [3200]),
            (
                "S",
                '{"header":{"task_id":"0693bcc4a90847a080df9c80c003823d","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"","heartbeat":true,"sentence_end":false,"sentence_id":0,"words":[]}},"usage":null}}',
            ),
            ("B", [3200]),
            (
                "S",
                '{"header":{"task_id":"0693bcc4a90847a080df9c80c003823d","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"","heartbeat":true,"sentence_end":false,"sentence_id":0,"words":[]}},"usage":null}}',
            ),
            ("B", [3200]),
            (
                "S",
                '{"header":{"task_id":"0693bcc4a90847a080df9c80c003823d","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"","heartbeat":true,"sentence_end":false,"sentence_id":0,"words":[]}},"usage":null}}',
            ),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "0693bcc4a90847a080df9c80c003823d", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"0693bcc4a90847a080df9c80c003823d","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "10",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "0fabdedc00aa415cb5c078dd361158fd", "action": "run-task"}, "payload": {"model": "mock-finish-empty-payload", "parameters": {"sample_rate": 16000, "format": "pcm"}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"0fabdedc00aa415cb5c078dd361158fd","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"0fabdedc00aa415cb5c078dd361158fd","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":""}]}},"usage":null}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"0fabdedc00aa415cb5c078dd361158fd","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3词6","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":600,"text":"词3词6","punctuation":""}]}},"usage":null}}',
            ),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "0fabdedc00aa415cb5c078dd361158fd", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"0fabdedc00aa415cb5c078dd361158fd","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":600,"text":"词3词6","heartbeat":false,"sentence_end":true,"sentence_id":1,"words":[{"begin_time":0,"end_time":600,"text":"词3词6","punctuation":"。"}]}},"usage":{"duration":1}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"0fabdedc00aa415cb5c078dd361158fd","event":"task-finished","attributes":{}},"payload":{}}',
            ),
        ],
    ),
    (
        "11",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "482e488fb1064f0580ed956cf18b7fe8", "action": "run-task"}, "payload": {"model": "gummy-realtime-v1", "parameters": {"sample_rate": 16000, "format": "pcm"}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"482e488fb1064f0580ed956cf18b7fe8","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200]),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "482e488fb1064f0580ed956cf18b7fe8", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"482e488fb1064f0580ed956cf18b7fe8","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "12",
        [
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "31418c272dd846be9561c0b8ce73db67", "action": "run-task"}, "payload": {"model": "gummy-realtime-v1", "parameters": {"sample_rate": 16000, "format": "pcm", "source_language": null, "transcription_enabled": true, "translation_enabled": true, "translation_target_languages": ["en"]}, "input": {}, "task": "asr", "task_group": "audio", "function": "recognition"}}',
            ),
            (
                "S",
                '{"header":{"task_id":"31418c272dd846be9561c0b8ce73db67","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200]),
            (
                "C",
                '{"header": {"streaming": "duplex", "task_id": "31418c272dd846be9561c0b8ce73db67", "action": "finish-task"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"31418c272dd846be9561c0b8ce73db67","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "13",
        [
            (
                "C",
                '{"header": {"action": "run-task", "task_id": "9cc9c76266ad4268a7c18ecb73429330", "streaming": "duplex"}, "payload": {"task_group": "audio", "task": "asr", "function": "recognition", "model": "fun-asr-realtime", "input": {}, "parameters": {"format": "pcm", "sample_rate": 16000, "language_hints": ["zh"], "heartbeat": true, "vocabulary_id": "vocab-v2"}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"9cc9c76266ad4268a7c18ecb73429330","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"9cc9c76266ad4268a7c18ecb73429330","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":""}]}},"usage":null}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"9cc9c76266ad4268a7c18ecb73429330","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3词6","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":600,"text":"词3词6","punctuation":""}]}},"usage":null}}',
            ),
            (
                "C",
                '{"header": {"action": "finish-task", "task_id": "9cc9c76266ad4268a7c18ecb73429330", "streaming": "duplex"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"9cc9c76266ad4268a7c18ecb73429330","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":600,"text":"词3词6","heartbeat":false,"sentence_end":true,"sentence_id":1,"words":[{"begin_time":0,"end_time":600,"text":"词3词6","punctuation":"。"}]}},"usage":{"duration":1}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"9cc9c76266ad4268a7c18ecb73429330","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
    (
        "14",
        [
            (
                "C",
                '{"header": {"action": "run-task", "task_id": "17cd0629364840d8987fc9d611c5740e", "streaming": "duplex"}, "payload": {"task_group": "audio", "task": "asr", "function": "recognition", "model": "fun-asr-realtime", "input": {}, "parameters": {"format": "pcm", "sample_rate": 16000}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"17cd0629364840d8987fc9d611c5740e","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"17cd0629364840d8987fc9d611c5740e","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":""}]}},"usage":null}}',
            ),
            (
                "C",
                '{"header": {"action": "finish-task", "task_id": "17cd0629364840d8987fc9d611c5740e", "streaming": "duplex"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"17cd0629364840d8987fc9d611c5740e","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":300,"text":"词3","heartbeat":false,"sentence_end":true,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":"。"}]}},"usage":{"duration":1}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"17cd0629364840d8987fc9d611c5740e","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
            (
                "C",
                '{"header": {"action": "run-task", "task_id": "3b0c2a7cfb79426e83ba987973420dd4", "streaming": "duplex"}, "payload": {"task_group": "audio", "task": "asr", "function": "recognition", "model": "fun-asr-realtime", "input": {}, "parameters": {"format": "pcm", "sample_rate": 16000}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"3b0c2a7cfb79426e83ba987973420dd4","event":"task-started","attributes":{}},"payload":{}}',
            ),
            ("B", [3200, 3200, 3200]),
            (
                "S",
                '{"header":{"task_id":"3b0c2a7cfb79426e83ba987973420dd4","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":null,"text":"词3","heartbeat":false,"sentence_end":false,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":""}]}},"usage":null}}',
            ),
            (
                "C",
                '{"header": {"action": "finish-task", "task_id": "3b0c2a7cfb79426e83ba987973420dd4", "streaming": "duplex"}, "payload": {"input": {}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"3b0c2a7cfb79426e83ba987973420dd4","event":"result-generated","attributes":{}},"payload":{"output":{"sentence":{"begin_time":0,"end_time":300,"text":"词3","heartbeat":false,"sentence_end":true,"sentence_id":1,"words":[{"begin_time":0,"end_time":300,"text":"词3","punctuation":"。"}]}},"usage":{"duration":1}}}',
            ),
            (
                "S",
                '{"header":{"task_id":"3b0c2a7cfb79426e83ba987973420dd4","event":"task-finished","attributes":{}},"payload":{"output":{}}}',
            ),
        ],
    ),
]

SDK_1X_SESSIONS = {"1", "2", "3", "4", "5", "6", "7", "9", "10", "11", "12"}  # 13, 14: the 2.0 surface


def _session_ids():
    return [f"{name}-{i}" for i, (name, _) in enumerate(CAPTURE)]


@pytest.mark.parametrize("index", range(len(CAPTURE)), ids=_session_ids())
def test_capture_replays_through_both_ends(index):
    """Both state machines accept every recorded session; our encoders reproduce the frames."""
    name, frames = CAPTURE[index]
    server, client = p.ServerConnection(), p.ClientConnection()
    for direction, frame in frames:
        if direction == "B":
            for size in frame:
                audio = bytes(size)
                assert client.send(p.Audio(audio)) == audio
                assert server.receive(audio) == p.Audio(audio)
        elif direction == "C":
            command = server.receive(frame)
            ours = client.send(command)
            if name in SDK_1X_SESSIONS:
                assert ours == frame  # byte for byte as the 1.x SDK writes it
            else:
                assert json.loads(ours) == json.loads(frame)
        else:
            event = client.receive(frame)
            ours = server.send(event)
            if name == "10" and event == p.TaskFinished(event.task_id):
                # The mock's empty task-finished payload, which stops the SDK calling
                # on_complete: we always send {"output": {}} instead.
                assert json.loads(ours)["payload"] == {"output": {}}
            else:
                assert ours == frame
        assert server.state == client.state
    assert server.state in (State.IDLE, State.FAILED, State.RUNNING)


def test_sdk_run_task_maps_to_settings():
    run = p.decode_command(CAPTURE[0][1][0][1])
    assert isinstance(run, p.RunTask)
    assert run.task_id == "859f21f806c94a19a0757dcb182581cb"
    assert run.settings() == RecognitionSettings(
        model="fun-asr-realtime",
        sample_rate=16000,
        format="pcm",
        language_hints=("zh",),
        semantic_punctuation_enabled=False,
        max_sentence_silence=800,
        multi_threshold_mode_enabled=True,
        heartbeat=False,
        vocabulary_id="vocab-test-123",
        speech_noise_threshold=0.2,
        disfluency_removal_enabled=True,
    )
    assert run.extra_parameters == {}


def test_context_resources_and_unknown_parameters_pass_through():
    section4 = dict(CAPTURE)["4"]
    run = p.decode_command(section4[0][1])
    assert run.input["context"][0]["content"][0]["text"] == "赛德克巴莱"
    assert run.extra_parameters == {"special_word_filter": '{"system_reserved_filter": true}'}
    assert run.settings().format == "pcm"
    legacy = p.decode_command(dict(CAPTURE)["5"][0][1])
    assert legacy.resources == [{"resource_id": "phrase-abc", "resource_type": "asr_phrase"}]
    gummy = p.decode_command(dict(CAPTURE)["12"][0][1])
    assert gummy.extra_parameters["source_language"] is None
    assert gummy.settings().sample_rate == 16000  # unknown names ignored, as the service does


def test_null_parameters_count_as_unset():
    s = p.settings_from_parameters(
        "paraformer-realtime-v2",
        {"format": "wav", "sample_rate": 8000, "vocabulary_id": None, "language_hints": None, "heartbeat": None},
    )
    assert s == RecognitionSettings(model="paraformer-realtime-v2", format="wav", sample_rate=8000)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"sample_rate": 16000}, "format"),
        ({"format": "pcm"}, "sample_rate"),
        ({"format": "pcm", "sample_rate": 16000, "max_sentence_silence": 100}, "max_sentence_silence"),
        ({"format": "pcm", "sample_rate": 16000, "speech_noise_threshold": 2}, "speech_noise_threshold"),
        ({"format": "pcm", "sample_rate": 16000, "heartbeat": "yes"}, "heartbeat"),
        ({"format": "pcm", "sample_rate": 16000, "language_hints": {"zh": 1}}, "language_hints"),
        ({"format": "pcm", "sample_rate": 16000, "language_hints": [3]}, "language_hints"),
        ({"format": "ogg", "sample_rate": 16000}, "format"),
        ({"format": "pcm", "sample_rate": "16000"}, "sample_rate"),
    ],
)
def test_bad_parameters_name_the_field(params, field):
    with pytest.raises(SettingsError) as info:
        p.settings_from_parameters("fun-asr-realtime", params)
    assert info.value.field == field


settings_strategy = st.builds(
    RecognitionSettings,
    model=st.sampled_from(["fun-asr-realtime", "paraformer-realtime-v2", "paraformer-realtime-8k-v2"]),
    sample_rate=st.sampled_from([8000, 16000, 44100]),
    format=st.sampled_from(["pcm", "wav", "mp3", "opus"]),
    language_hints=st.lists(st.sampled_from(LANGUAGES), max_size=3).map(tuple),
    semantic_punctuation_enabled=st.booleans(),
    max_sentence_silence=st.integers(200, 6000),
    multi_threshold_mode_enabled=st.booleans(),
    punctuation_prediction_enabled=st.booleans(),
    inverse_text_normalization_enabled=st.booleans(),
    heartbeat=st.booleans(),
    speech_noise_threshold=st.none() | st.floats(-1.0, 1.0),
    vocabulary_id=st.none() | st.text(min_size=1, max_size=20),
    disfluency_removal_enabled=st.booleans(),
)


@given(settings_strategy)
@hsettings(max_examples=150, deadline=None)
def test_settings_survive_the_wire(s):
    run = p.RunTask.from_settings(s, "t")
    frame = p.ClientConnection().send(run)
    back = p.decode_command(frame)
    assert back.settings() == s
    assert list(back.parameters)[:2] == ["sample_rate", "format"]  # the SDK's order
    assert back.extra_parameters == {}


def test_hot_words_stay_local_and_extras_go_out():
    s = RecognitionSettings(hot_words=("Captioner",))
    run = p.RunTask.from_settings(s, extra_parameters={"diarization_enabled": True})
    assert "hot_words" not in run.parameters
    assert run.parameters["diarization_enabled"] is True
    assert len(run.task_id) == 32
    assert run.settings() == s.replace(hot_words=())


# -- Sentences ------------------------------------------------------------------------------

WORDS = (Word(170, 295, "好", "，"), Word(295, 503, "我"), Word(503, 920, "知道了"))


def test_interim_sentence_on_the_wire():
    s = Sentence("好，我知道", 170, 800, final=False, words=WORDS[:2], sentence_id=1)
    d = json.loads(p.encode(p.ResultGenerated("t", s, Usage(9))))
    sentence = d["payload"]["output"]["sentence"]
    assert sentence["end_time"] is None and sentence["sentence_end"] is False
    assert sentence["heartbeat"] is False and sentence["sentence_id"] == 1
    assert d["payload"]["usage"] is None
    assert sentence["words"][0] == {"begin_time": 170, "end_time": 295, "text": "好", "punctuation": "，"}
    back = p.decode_event(p.encode(p.ResultGenerated("t", s)))
    assert back.sentence.final is False
    assert back.sentence.end_ms == 503  # as far as its words reach: the wire has no end for interims
    assert back.sentence.words == s.words


def test_final_sentence_on_the_wire():
    s = Sentence("好，我知道了", 170, 920, final=True, words=WORDS, sentence_id=2)
    d = json.loads(p.encode(p.ResultGenerated("t", s)))
    assert d["payload"]["output"]["sentence"]["end_time"] == 920
    assert d["payload"]["output"]["sentence"]["sentence_end"] is True
    assert d["payload"]["usage"] == {"duration": 1}  # billed: the end, rounded up to seconds
    assert json.loads(p.encode(p.ResultGenerated("t", s, Usage(7))))["payload"]["usage"] == {"duration": 7}
    back = p.decode_event(p.encode(p.ResultGenerated("t", s, Usage(7))))
    assert back == p.ResultGenerated("t", s, Usage(7))


def test_heartbeat_packets():
    frame = p.encode(p.Heartbeat("t"))
    d = json.loads(frame)
    assert d["payload"] == {
        "output": {"sentence": {"begin_time": 0, "end_time": None, "text": "", "heartbeat": True,
                                "sentence_end": False, "sentence_id": 0, "words": []}},
        "usage": None,
    }  # fmt: skip
    assert p.decode_event(frame) == p.Heartbeat("t")


def test_task_failed_shape_and_classification():
    frame = p.encode(p.TaskFailed("t", "CLIENT_ERROR", "request timeout after 23 seconds."))
    assert json.loads(frame)["header"] == {
        "task_id": "t", "event": "task-failed", "error_code": "CLIENT_ERROR",
        "error_message": "request timeout after 23 seconds.", "attributes": {},
    }  # fmt: skip
    assert p.decode_event(frame).retryable is True
    missing = '{"header":{"task_id":"t","event":"task-failed"},"payload":{}}'
    assert p.decode_event(missing).error_code == ErrorCode.INTERNAL_ERROR


def test_http_error_bodies():
    body = p.encode_http_error("InvalidApiKey", "Invalid API-key provided.", "7c1f0e2a-52a8-4b8a-9d8e-0c6d2f9a1b3c")
    assert body == ('{"code":"InvalidApiKey","message":"Invalid API-key provided.",'
                    '"request_id":"7c1f0e2a-52a8-4b8a-9d8e-0c6d2f9a1b3c"}')  # fmt: skip
    assert len(body) == 114  # the length the real gateway's 401 carries
    assert p.decode_http_error(body) == ("InvalidApiKey", "Invalid API-key provided.")
    assert p.decode_http_error(b'{"code": "Throttling", "msg": "slow down"}') == ("Throttling", "slow down")
    assert p.decode_http_error(b"<html>502</html>") == ("", "")


@pytest.mark.parametrize(
    "code, retryable",
    [
        (ErrorCode.NETWORK_ERROR, True),
        (ErrorCode.INTERNAL_ERROR, True),
        (ErrorCode.REQUEST_TIMEOUT, True),
        (ErrorCode.SERVICE_UNAVAILABLE, True),
        (ErrorCode.MODEL_SERVING_ERROR, True),
        (ErrorCode.CLIENT_DISCONNECT, True),
        (ErrorCode.THROTTLING_RATE_QUOTA, True),
        (ErrorCode.INVALID_API_KEY, False),
        (ErrorCode.INVALID_PARAMETER, False),
        (ErrorCode.MODEL_NOT_FOUND, False),
        (ErrorCode.ARREARAGE, False),
        (ErrorCode.FREE_TIER_ONLY, False),
        (ErrorCode.THROTTLING_ALLOCATION_QUOTA, False),
        (ErrorCode.ACCESS_DENIED, False),
        (ErrorCode.NO_VALID_AUDIO, False),
        (ErrorCode.CLIENT_ERROR, False),
        ("SomethingNew", False),
    ],
)
def test_retryable_classification(code, retryable):
    assert p.is_retryable(code) is retryable
    assert p.ProtocolError(code, "x").retryable is retryable


def test_retryable_http_status():
    assert [p.is_retryable_http_status(s) for s in (401, 403, 400, 404, 408, 429, 500, 503)] == [
        False, False, False, False, True, True, True, True,
    ]  # fmt: skip


# -- Illegal sequences ----------------------------------------------------------------------

RUN = p.encode(p.RunTask("t1", "fun-asr-realtime", {"format": "pcm", "sample_rate": 16000}))
FINISH = p.encode(p.FinishTask("t1"))


def _server(*steps):
    """A ServerConnection taken through `steps` (client frames, or server events to send)."""
    conn = p.ServerConnection()
    for step in steps:
        if isinstance(step, (str, bytes)):
            conn.receive(step)
        else:
            conn.send(step)
    return conn


STARTED = p.TaskStarted("t1")


@pytest.mark.parametrize(
    "steps, frame, code, words",
    [
        ((), b"\x00\x01", ErrorCode.CLIENT_ERROR, "audio is not allowed before run-task"),
        ((RUN,), b"\x00\x01", ErrorCode.CLIENT_ERROR, "audio is not allowed before task-started"),
        ((RUN,), FINISH, ErrorCode.CLIENT_ERROR, "finish-task is not allowed before task-started"),
        ((RUN, STARTED), RUN, ErrorCode.CLIENT_ERROR, "run-task received while task t1 is still active"),
        ((RUN, STARTED, FINISH), b"\x00", ErrorCode.CLIENT_ERROR, "audio is not allowed after finish-task"),
        ((RUN, STARTED), FINISH.replace("t1", "t2"), ErrorCode.CLIENT_ERROR, "for task 't2'"),
        ((), '{"header": {"action": "dance", "task_id": "t"}, "payload": {"input": {}}}', "CLIENT_ERROR",
         "unknown action 'dance'"),
        ((), "{not json", ErrorCode.CLIENT_ERROR, "Invalid payload data"),
        ((), "[]", ErrorCode.CLIENT_ERROR, "Invalid payload data"),
        ((), '{"payload": {}}', ErrorCode.CLIENT_ERROR, "Invalid payload data"),
        ((), '{"header": {"action": "run-task", "task_id": "t"}}', ErrorCode.CLIENT_ERROR, "Invalid payload data"),
        ((RUN, STARTED), '{"header": {"action": "finish-task", "task_id": "t1"}, "payload": {}}',
         ErrorCode.CLIENT_ERROR, "Invalid payload data"),
        ((), '{"header": {"action": "run-task"}, "payload": {"input": {}}}', ErrorCode.CLIENT_ERROR,
         "task_id is missing"),
        ((), '{"header": {"action": "run-task", "task_id": "t"}, "payload": {"input": {}, "parameters": {}}}',
         ErrorCode.INVALID_PARAMETER, "Missing required parameter 'payload.model'"),
        ((), '{"header": {"action": "run-task", "task_id": "t"}, "payload": {"input": {}, "model": "m"}}',
         ErrorCode.INVALID_PARAMETER, "'payload.parameters'"),
        ((), '{"header": {"action": "run-task", "task_id": "t"}, "payload": {"input": {}, "model": "m", '
             '"parameters": {}, "task": "tts"}}', ErrorCode.INVALID_PARAMETER, "payload.task must be 'asr'"),
        ((), "[" * 100_000, ErrorCode.CLIENT_ERROR, "not JSON"),
    ],
)  # fmt: skip
def test_server_refuses_illegal_frames(steps, frame, code, words):
    conn = _server(*steps)
    before = conn.state
    with pytest.raises(p.RemoteProtocolError) as info:
        conn.receive(frame)
    assert info.value.code == code
    assert words in info.value.message
    assert conn.state is before
    failed = json.loads(conn.fail(info.value.code, info.value.message))
    assert failed["header"]["event"] == "task-failed"
    assert failed["header"]["task_id"] == ("t1" if before is not State.IDLE else "")
    assert conn.state is State.FAILED
    with pytest.raises(p.RemoteProtocolError, match="after task-failed"):
        conn.receive(RUN)


def test_server_cannot_send_out_of_order():
    with pytest.raises(p.LocalProtocolError):
        p.ServerConnection().send(p.TaskStarted("t1"))
    with pytest.raises(p.LocalProtocolError):
        _server(RUN, STARTED).send(p.TaskFinished("t1"))  # only after finish-task
    with pytest.raises(p.LocalProtocolError):
        _server(RUN).send(p.Heartbeat("t1"))


def test_connection_is_reusable_after_task_finished():
    conn = _server(RUN, STARTED, b"\0\0", FINISH, p.ResultGenerated("t1", Sentence("a", 0, 1, True)))
    conn.send(p.TaskFinished("t1"))
    assert conn.state is State.IDLE
    conn.receive(RUN.replace("t1", "t2"))
    assert (conn.state, conn.task_id) == (State.STARTING, "t2")
    conn.send(p.TaskStarted("t2"))
    conn.receive(FINISH.replace("t1", "t2"))
    conn.send(p.TaskFinished("t2"))
    conn.receive(RUN)  # the 1.x SDK reuses task ids: never refused
    assert conn.state is State.STARTING


def test_client_side_sequence_errors():
    client = p.ClientConnection()
    with pytest.raises(p.LocalProtocolError):
        client.send(p.Audio(b"\0\0"))
    with pytest.raises(p.RemoteProtocolError, match="task-started is not allowed before run-task"):
        client.receive(p.encode(p.TaskStarted("t1")))
    client.send(p.decode_command(RUN))
    with pytest.raises(p.RemoteProtocolError) as info:
        client.receive(b"binary")
    assert info.value.code == ErrorCode.INTERNAL_ERROR and info.value.retryable
    with pytest.raises(p.RemoteProtocolError, match="for task 'other'"):
        client.receive(p.encode(p.TaskStarted("other")))
    with pytest.raises(p.RemoteProtocolError, match="unknown event"):
        client.receive('{"header": {"event": "task-paused", "task_id": "t1"}, "payload": {}}')
    with pytest.raises(p.RemoteProtocolError, match="without payload.output.sentence"):
        client.receive('{"header": {"event": "result-generated", "task_id": "t1"}, "payload": {"output": {}}}')
    assert isinstance(client.receive(p.encode(STARTED)), p.TaskStarted)
    with pytest.raises(p.RemoteProtocolError, match="task-finished is not allowed while the task is running"):
        client.receive(p.encode(p.TaskFinished("t1")))
    failed = client.receive(p.encode(p.TaskFailed("t1", "InvalidApiKey", "Invalid API-key provided.")))
    assert failed.retryable is False and client.state is State.FAILED


# -- Fuzzing --------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
actions = st.sampled_from(["run-task", "continue-task", "finish-task", "task-started", "", "RUN-TASK"])
events = st.sampled_from(["task-started", "result-generated", "task-finished", "task-failed", "run-task"])
headers = st.fixed_dictionaries(
    {},
    optional={"action": actions | json_values, "task_id": st.just("t1") | json_values, "event": events | json_values},
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "input": json_values,
        "model": st.just("fun-asr-realtime") | json_values,
        "parameters": json_values,
        "output": json_values,
        "usage": json_values,
    },
)
envelopes = st.fixed_dictionaries({"header": headers, "payload": payloads})
frames = (
    st.binary(max_size=64)
    | st.text(max_size=64)
    | json_values.map(json.dumps)
    | envelopes.map(json.dumps)
    | st.sampled_from([RUN, FINISH, p.encode(STARTED), "{}", "null"])
)


@given(st.lists(frames, max_size=8))
@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_server_connection_only_ever_raises_protocol_errors(sequence):
    conn = p.ServerConnection()
    for frame in sequence:
        try:
            conn.receive(frame)
        except p.ProtocolError as exc:
            assert exc.code and exc.message
            conn.fail(exc.code, exc.message)
            break
        if conn.state is State.STARTING:
            conn.send(p.TaskStarted(conn.task_id))


@given(st.lists(frames, max_size=8))
@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_client_connection_only_ever_raises_protocol_errors(sequence):
    conn = p.ClientConnection()
    conn.send(p.decode_command(RUN))
    for frame in sequence:
        try:
            conn.receive(frame)
        except p.ProtocolError as exc:
            assert exc.code and exc.message
            break
        if conn.state is State.RUNNING:
            conn.send(p.FinishTask("t1"))

import os
import sys
from pathlib import Path

# Qt must never try a real display unless a test asks for one (xcb under Xvfb).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The helpers only tests use (pulse, xvfb, rest_support); what bench/ shares is captioner.testing.
sys.path.insert(0, str(Path(__file__).parent))

import pytest

from captioner.testing.speech import GOFORWARD_RAW, write_wav


# Fast tests first, slow ones last. A test is slow (@pytest.mark.slow; the marker is declared in
# pyproject.toml) when it loads the whisper model, runs real speech through an engine, or takes
# more than about three seconds. A plain `.venv/bin/python -m pytest` (the README's command, and
# CI's) still runs everything, but a failure in the fast set shows before any speech test has
# run. For a quick local loop, leave the slow ones out:
#
#     .venv/bin/python -m pytest -m "not slow"
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every unmarked test before every slow one; each group keeps its collected order."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)  # a stable sort


@pytest.fixture(scope="session")
def goforward_wav(tmp_path_factory) -> Path:
    """'Go forward ten meters', real recorded speech, as a 16 kHz WAV file."""
    import numpy as np

    samples = np.fromfile(GOFORWARD_RAW, dtype="<i2")
    return write_wav(tmp_path_factory.mktemp("speech") / "goforward.wav", samples)


@pytest.fixture(scope="module")
def goforward_served(goforward_wav, tmp_path_factory):
    """goforward.wav (and nothing else) over http on loopback: the public URL a file
    transcription task downloads, for the emulator's tests with real speech."""
    import shutil

    from rest_support import FileServer  # imported here: most test modules need no server

    folder = tmp_path_factory.mktemp("served")
    shutil.copy(goforward_wav, folder / "goforward.wav")
    with FileServer(folder) as server:
        yield server

import os
import sys
from pathlib import Path

# Qt must never try a real display unless a test asks for one (xcb under Xvfb).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys.path.insert(0, str(Path(__file__).parent))

import pytest

from captioner.testing.speech import GOFORWARD_RAW, write_wav


@pytest.fixture(scope="session")
def goforward_wav(tmp_path_factory) -> Path:
    """'Go forward ten meters', real recorded speech, as a 16 kHz WAV file."""
    import numpy as np

    samples = np.fromfile(GOFORWARD_RAW, dtype="<i2")
    return write_wav(tmp_path_factory.mktemp("speech") / "goforward.wav", samples)

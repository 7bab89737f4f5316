"""Captioner: live captions from an on-device engine or Alibaba Cloud's realtime ASR."""

# First, before any submodule can import onnxruntime: its telemetry off (see privacy.py).
from captioner import privacy as _privacy  # noqa: F401  (imported for its effect)

#: The one place the version is written: pyproject.toml reads it ([tool.setuptools.dynamic]),
#: the CLI, the self-test, logs, User-Agent headers and the release archive's name import it,
#: and tests/test_packaging.py checks the AppStream release list against it.
__version__ = "0.1.0"

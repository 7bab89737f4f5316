"""Captioner: live captions from an on-device engine or Alibaba Cloud's realtime ASR."""

__version__ = "0.1.0"

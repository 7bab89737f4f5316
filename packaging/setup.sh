#!/usr/bin/env bash
# Set up Captioner from a source checkout on Debian/Ubuntu: system libraries (apt), then a
# Python environment in .venv with the app installed in editable mode.
#   bash packaging/setup.sh          # to run the app
#   bash packaging/setup.sh --test   # also what the test suite needs (speech data, Xvfb, PulseAudio)
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

# Qt's xcb platform, PortAudio, and fonts: what the window and the microphone need.
APT_RUN="libportaudio2 libasound2-plugins libgl1 libegl1 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0
  libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 fonts-dejavu-core"
# Tests: real speech (pocketsphinx-testdata, espeak-ng), a virtual microphone (PulseAudio),
# a real X server with a window manager and compositor, screenshots, media encoders.
APT_TEST="espeak-ng sox pocketsphinx-testdata pulseaudio pulseaudio-utils xvfb xauth openbox xcompmgr
  imagemagick x11-utils xdotool ffmpeg desktop-file-utils appstream"

packages="$APT_RUN"
[ "$want_tests" = 1 ] && packages="$packages $APT_TEST"
python3 -c "import ensurepip, venv" 2>/dev/null || packages="$packages python3-venv"

if command -v apt-get >/dev/null; then
  missing=""
  for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "${missing// /}" ]; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
  fi
else
  echo "setup: not a Debian-like system; install PortAudio and Qt's xcb libraries yourself" >&2
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$want_tests" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test,build]"
else
  .venv/bin/python -m pip install -q -e .
fi
echo "setup: done. Run .venv/bin/captioner"

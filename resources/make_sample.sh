#!/usr/bin/env bash
# Rebuilds resources/sample.ogg: five public-domain LibriVox sentences (Sense and
# Sensibility, read for LibriVox; shipped by Debian's pocketsphinx-testdata) with 1.5 s
# pauses between them, so demo mode shows partials while each is read and a final after.
set -euo pipefail
d=/usr/share/pocketsphinx/test/data/librivox
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sox -n -r 16000 -c 1 "$tmp/pause.wav" trim 0 1.5
args=("$tmp/pause.wav")
for id in 0870 0880 0890 0920 0930; do args+=("$d/sense_and_sensibility_01_austen_64kb-$id.wav" "$tmp/pause.wav"); done
sox "${args[@]}" "$tmp/sample.wav"
ffmpeg -loglevel error -y -i "$tmp/sample.wav" -c:a libopus -b:a 32k "$here/sample.ogg"
sed -n 's/<s> \(.*\) <\/s>.*/\1/p' "$d/transcription" > "$here/sample.txt"

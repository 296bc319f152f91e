#!/usr/bin/env bash
# Renders the example week of the README (docs/week.svg, written by `ecs-onoff timeline --svg`)
# in headless Chromium and checks the screenshot: a PNG of the page's size whose pixels are not
# all one colour. Needs Chromium (Debian: apt-get install chromium); not part of scripts/test.sh.
# Usage: scripts/svg_screenshot.sh [SVG] (default: regenerate docs/week.svg from examples/fleet.toml
# style flags and check it). The screenshot goes to target/week.png.
set -euo pipefail
cd "$(dirname "$0")/.."

svg=${1:-docs/week.svg}
if [ $# -eq 0 ]; then
  cargo run -q -- timeline -f examples/timeline.toml --week 2026-12-21 --svg "$svg" >/dev/null
fi
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "svg_screenshot.sh: no Chromium found (Debian: apt-get install chromium)" >&2
  exit 2
fi
mkdir -p target
png=target/week.png
rm -f "$png"
width=$(sed -n 's/^<svg[^>]* width="\([0-9]*\)".*/\1/p' "$svg" | head -1)
height=$(sed -n 's/^<svg[^>]* height="\([0-9]*\)".*/\1/p' "$svg" | head -1)
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --window-size="${width},${height}" --screenshot="$PWD/$png" "file://$PWD/$svg" >/dev/null 2>&1
python3 - "$png" "$width" "$height" <<'PY'
import struct, sys, zlib
path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h, depth, kind = struct.unpack(">IIBB", data[16:26])
assert (w, h) == (width, height), f"screenshot is {w}x{h}, the SVG {width}x{height}"
# Decompress the image data and count distinct byte values of the rows (a blank page has one).
chunks, pos = b"", 8
while pos < len(data):
    size, name = struct.unpack(">I4s", data[pos:pos + 8])
    if name == b"IDAT":
        chunks += data[pos + 8:pos + 8 + size]
    pos += 12 + size
raw = zlib.decompress(chunks)
assert len(set(raw)) > 8, "the screenshot is blank"
print(f"svg_screenshot.sh: {path}: {w}x{h}, rendered ({len(set(raw))} distinct byte values)")
PY

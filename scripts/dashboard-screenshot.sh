#!/usr/bin/env bash
# Takes the README's picture of the dashboard (docs/dashboard.png, or the path given): a fresh `swarm node` on
# loopback given three torrents through its Transmission RPC (one seeding, one partly on disk, one magnet still
# waiting for its metadata), drawn by Debian's headless chromium once the page shows all three. Drives chromium with
# the Playwright driver (its node and package) that the end-to-end tests' build brings; needs mktorrent, curl, chromium.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(realpath -m "${1:-$repo/docs/dashboard.png}")"
dll="$repo/src/Node/bin/Release/net10.0/swarm.dll"
playwright="$repo/tests/EndToEnd.Tests/bin/Release/net10.0/.playwright"
[ -f "$dll" ] && [ -d "$playwright/package" ] || dotnet build "$repo/tests/EndToEnd.Tests" -c Release -nologo -v q
[ -f "$dll" ] || dotnet build "$repo/src/Node" -c Release -nologo -v q
for tool in mktorrent curl chromium python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (scripts/install-peers.sh installs it)" >&2; exit 1; }
done

work="$(mktemp -d)"
node_pid=""
cleanup() {
  [ -z "$node_pid" ] || { kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

# Payloads: 64 KiB pieces so that the strips have detail.
mkdir -p "$work/data/open-street-extract" "$work/data"
head -c $((6 * 1024 * 1024)) /dev/urandom >"$work/data/open-street-extract/europe-west.osm.pbf"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$work/data/open-street-extract/README.txt"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$work/data/debian-live-12-amd64-standard.iso"
mktorrent -l 16 -o "$work/extract.torrent" "$work/data/open-street-extract" >/dev/null
mktorrent -l 16 -o "$work/live.torrent" "$work/data/debian-live-12-amd64-standard.iso" >/dev/null
# Part of the second one is lost: its verification finds holes, and the strip shows them.
python3 - "$work/data/debian-live-12-amd64-standard.iso" <<'EOF'
import os, sys
with open(sys.argv[1], "r+b") as f:
    for start, length in ((1_200_000, 900_000), (4_000_000, 2_600_000), (8_700_000, 400_000)):
        f.seek(start)
        f.write(os.urandom(length))
EOF

dotnet "$dll" node --bind 127.0.0.1 --port 0 --console-port 0 --cluster-port 0 --rpc-port 0 --no-dht \
  --data-dir "$work/state" >"$work/node.out" 2>"$work/node.err" &
node_pid=$!
rpc=""
for _ in $(seq 1 120); do
  rpc="$(sed -n 's/^rpc //p' "$work/node.out")"
  [ -n "$rpc" ] && break
  kill -0 "$node_pid" 2>/dev/null || { cat "$work/node.err" >&2; exit 1; }
  sleep 0.5
done
[ -n "$rpc" ] || { echo "the node printed no rpc line" >&2; exit 1; }

session="$(curl -s -o /dev/null -D - "http://$rpc/transmission/rpc" | sed -n 's/^X-Transmission-Session-Id: //Ip' | tr -d '\r')"
call() {
  curl -s -H "X-Transmission-Session-Id: $session" -H 'Content-Type: application/json' -d "$1" "http://$rpc/transmission/rpc"
}
add() {
  call "{\"method\":\"torrent-add\",\"arguments\":{\"metainfo\":\"$(base64 -w0 "$1")\",\"download-dir\":\"$work/data\"}}" >/dev/null
}
add "$work/extract.torrent"
add "$work/live.torrent"
call '{"method":"torrent-add","arguments":{"filename":"magnet:?xt=urn:btih:5e1f9c2a7b3d4e6f8091a2b3c4d5e6f708192a3b&dn=field-recordings-2026"}}' >/dev/null

# Until both files are verified: one seeding (6), one waiting to download (4).
for _ in $(seq 1 120); do
  statuses="$(call '{"method":"torrent-get","arguments":{"fields":["status"]}}' | python3 -c 'import json,sys; print(sorted(t["status"] for t in json.load(sys.stdin)["arguments"]["torrents"]))')"
  [ "$statuses" = "[4, 4, 6]" ] && break
  sleep 0.5
done

# Until the page shows the three torrents and the member; then the picture.
"$playwright/node/linux-x64/node" - "$playwright/package" "http://$rpc/" "$out" <<'EOF'
const [pkg, url, out] = process.argv.slice(2);
const { chromium } = require(pkg);
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1040 }, colorScheme: "light" });
    await page.goto(url);
    await page.waitForFunction(() => document.querySelectorAll("#torrents tbody tr").length === 3
      && document.querySelectorAll("#members tbody tr").length === 1, null, { timeout: 60000 });
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
EOF
echo "wrote $out ($(stat -c %s "$out") bytes)"

#!/usr/bin/env bash
# Tracker benchmark (issue 14), on demand. swarm tracker and opentracker side by side, same generator, one run:
#   PEERS (100,000) distinct peers (each from its own loopback address) over TORRENTS (10) torrents announce once over
#   HTTP; RSS and the peers each tracker reports at half and at the end give bytes per remembered peer;
#   then CONCURRENCY (64) workers announce for DURATION (10) seconds over HTTP, then over UDP.
# Prints both rows, then each ratio against its goal: announces/s ≥ opentracker's (HTTP, UDP), ≤ 100 B per peer.
# Our per-torrent bound (max-peers-per-torrent, 5000) is raised for the run: opentracker has none, and the bench
# compares the cost of remembering the same peers.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-100000}
TORRENTS=${TORRENTS:-10}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-64}
WORK=$(mktemp -d /tmp/swarm-tracker-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

dotnet build "$REPO/src/Node" -c Release -nologo -v quiet >/dev/null
dotnet build "$REPO/bench/Tracker" -c Release -nologo -v quiet >/dev/null
LOAD="dotnet $REPO/bench/Tracker/bin/Release/net10.0/Swarm.Bench.Tracker.dll"
for i in $(seq "$TORRENTS"); do printf '%040x\n' "$i"; done > "$WORK/hashes.txt"
echo "swarm.tracker-server.max-peers-per-torrent = $PEERS" > "$WORK/swarm.conf"

P=$(free_port)
# A 2 MiB allocation budget between collections (instead of one the size of the CPU cache): RSS then follows what
# the tracker holds rather than how much garbage the last collection left, so the per-peer delta is not noise.
DOTNET_GCgen0size=0x200000 dotnet "$REPO/src/Node/bin/Release/net10.0/swarm.dll" tracker --http-port "$P" --udp-port "$P" --config "$WORK/swarm.conf" >"$WORK/swarm.out" 2>"$WORK/swarm.err" &
PIDS+=($!); SWARM_PID=$!
until grep -q '^udp ' "$WORK/swarm.out"; do sleep 0.1; done

O=$(free_port)
mkdir -p "$WORK/ot" && cp "$WORK/hashes.txt" "$WORK/ot/whitelist.txt" && chmod 755 "$WORK/ot" && chmod 644 "$WORK/ot/whitelist.txt"
(cd "$WORK/ot" && exec opentracker -i 127.0.0.1 -p "$O" -P "$O" -d "$WORK/ot" -w whitelist.txt >"$WORK/ot.log" 2>&1) &
PIDS+=($!); OT_PID=$!
sleep 1

echo "load before: $(uptime)"
echo "swarm tracker runs with DOTNET_GCgen0size=0x200000 (see the script)"
echo "| tracker | HTTP announces/s | UDP announces/s | fill announces/s | HTTP errors | peers remembered | RSS before MiB | RSS after MiB | bytes per remembered peer |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
$LOAD --name "swarm tracker" --http "http://127.0.0.1:$P/announce" --udp "udp://127.0.0.1:$P/announce" --pid "$SWARM_PID" \
  --seconds "$DURATION" --concurrency "$CONCURRENCY" --peers "$PEERS" --hashes "$WORK/hashes.txt" --out "$WORK/swarm.fig"
$LOAD --name "opentracker" --http "http://127.0.0.1:$O/announce" --udp "udp://127.0.0.1:$O/announce" --pid "$OT_PID" \
  --seconds "$DURATION" --concurrency "$CONCURRENCY" --peers "$PEERS" --hashes "$WORK/hashes.txt" --out "$WORK/ot.fig"
echo "load after: $(uptime)"
read -r S_HTTP S_UDP S_BYTES _ < "$WORK/swarm.fig"
read -r O_HTTP O_UDP O_BYTES _ < "$WORK/ot.fig"
python3 - "$S_HTTP" "$S_UDP" "$S_BYTES" "$O_HTTP" "$O_UDP" "$O_BYTES" <<'PY'
import sys
sh, su, sb, oh, ou, ob = map(float, sys.argv[1:])
def verdict(ok): return "met" if ok else "NOT met"
print(f"HTTP announces/s, swarm / opentracker: {sh / oh:.2f}x (goal >= 1.0: {verdict(sh >= oh)})")
print(f"UDP announces/s, swarm / opentracker: {su / ou:.2f}x (goal >= 1.0: {verdict(su >= ou)})")
print(f"bytes per remembered peer: swarm {sb:.0f}, opentracker {ob:.0f} (goal <= 100: {verdict(sb <= 100)})")
PY

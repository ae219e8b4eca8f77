#!/usr/bin/env bash
# Tracker benchmark (issue: index server), on demand. swarm tracker and opentracker side by side, same load:
#   PEERS (100,000) distinct peers over TORRENTS (10) torrents announce once (HTTP), then RSS;
#   then CONCURRENCY (64) workers announce for DURATION (10) seconds over HTTP, then over UDP.
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

P=$(free_port)
dotnet "$REPO/src/Node/bin/Release/net10.0/swarm.dll" tracker --http-port "$P" --udp-port "$P" >"$WORK/swarm.out" 2>"$WORK/swarm.err" &
PIDS+=($!); SWARM_PID=$!
until grep -q '^udp ' "$WORK/swarm.out"; do sleep 0.1; done

O=$(free_port)
mkdir -p "$WORK/ot" && cp "$WORK/hashes.txt" "$WORK/ot/whitelist.txt" && chmod 755 "$WORK/ot" && chmod 644 "$WORK/ot/whitelist.txt"
(cd "$WORK/ot" && exec opentracker -i 127.0.0.1 -p "$O" -P "$O" -d "$WORK/ot" -w whitelist.txt >"$WORK/ot.log" 2>&1) &
PIDS+=($!); OT_PID=$!
sleep 1

echo "| tracker | HTTP announces/s | UDP announces/s | fill announces/s | HTTP errors | RSS before MiB | RSS after $PEERS peers MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
$LOAD --name "swarm tracker" --http "http://127.0.0.1:$P/announce" --udp "udp://127.0.0.1:$P/announce" --pid "$SWARM_PID" \
  --seconds "$DURATION" --concurrency "$CONCURRENCY" --peers "$PEERS" --hashes "$WORK/hashes.txt"
$LOAD --name "opentracker" --http "http://127.0.0.1:$O/announce" --udp "udp://127.0.0.1:$O/announce" --pid "$OT_PID" \
  --seconds "$DURATION" --concurrency "$CONCURRENCY" --peers "$PEERS" --hashes "$WORK/hashes.txt"

#!/usr/bin/env bash
# Tracker benchmark (issue 14), on demand. swarm tracker and opentracker side by side, same generator, one run:
#   PEERS (100,000) distinct peers (each from its own loopback address) over TORRENTS (10) torrents announce once over
#   HTTP; RSS and the peers each tracker reports at half and at the end give bytes per remembered peer;
#   then CONCURRENCY (64) workers announce for DURATION (10) seconds over HTTP, then over UDP, the two trackers in turn,
#   ROUNDS (3) times.
# Prints both fill rows, each rate, then each median ratio against its goal: announces/s ≥ opentracker's (HTTP, UDP),
# ≤ 100 B per peer.
# BASE_PORT (default: any free ports): swarm on BASE_PORT, opentracker on +1, the BEFORE build on +2.
# SWARM_DLL (default: this worktree's build, built first) picks the swarm build; BEFORE=path/to/swarm.dll adds a second
# swarm tracker (another build) to the same fill and alternation, and prints this build's ratio against it.
# Our per-torrent bound (max-peers-per-torrent, 5000) is raised for the run: opentracker has none, and the bench
# compares the cost of remembering the same peers.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-100000}
TORRENTS=${TORRENTS:-10}
DURATION=${DURATION:-10}
CONCURRENCY=${CONCURRENCY:-64}
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d /tmp/swarm-tracker-bench.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
BASE_PORT=${BASE_PORT:-}
free_port() {
  if [ -n "$BASE_PORT" ]; then echo $((BASE_PORT + $1)); return; fi
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

if [ -z "${SWARM_DLL:-}" ]; then
  dotnet build "$REPO/src/Node" -c Release -nologo -v quiet >/dev/null
  SWARM_DLL="$REPO/src/Node/bin/Release/net10.0/swarm.dll"
fi
BEFORE=${BEFORE:-}
dotnet build "$REPO/bench/Tracker" -c Release -nologo -v quiet >/dev/null
LOAD="dotnet $REPO/bench/Tracker/bin/Release/net10.0/Swarm.Bench.Tracker.dll"
for i in $(seq "$TORRENTS"); do printf '%040x\n' "$i"; done > "$WORK/hashes.txt"
echo "swarm.tracker-server.max-peers-per-torrent = $PEERS" > "$WORK/swarm.conf"

# The tracker runs as an operator runs it, with the runtime settings the build ships (no GC knobs from here: the
# DOTNET_GCgen0size=0x200000 this script used to set moved neither the per-peer bytes, 104-109 with it and 105 without
# at 100,000 peers, 65 and 65 at 400,000, nor anything an operator would see).
start_swarm() { # dll port name
  dotnet "$1" tracker --http-port "$2" --udp-port "$2" --config "$WORK/swarm.conf" >"$WORK/$3.out" 2>"$WORK/$3.err" &
  PIDS+=($!)
  until grep -q '^udp ' "$WORK/$3.out" 2>/dev/null; do sleep 0.1; done
}
P=$(free_port 0)
start_swarm "$SWARM_DLL" "$P" swarm; SWARM_PID=${PIDS[-1]}
if [ -n "$BEFORE" ]; then B=$(free_port 2); start_swarm "$BEFORE" "$B" before; BEFORE_PID=${PIDS[-1]}; fi

O=$(free_port 1)
mkdir -p "$WORK/ot" && cp "$WORK/hashes.txt" "$WORK/ot/whitelist.txt" && chmod 755 "$WORK/ot" && chmod 644 "$WORK/ot/whitelist.txt"
(cd "$WORK/ot" && exec opentracker -i 127.0.0.1 -p "$O" -P "$O" -d "$WORK/ot" -w whitelist.txt >"$WORK/ot.log" 2>&1) &
PIDS+=($!); OT_PID=$!
sleep 1

echo "load before: $(uptime)"
COMMON=(--seconds "$DURATION" --concurrency "$CONCURRENCY" --peers "$PEERS" --hashes "$WORK/hashes.txt")
SWARM=(--name "swarm tracker" --http "http://127.0.0.1:$P/announce" --udp "udp://127.0.0.1:$P/announce" --pid "$SWARM_PID")
BEF=(--name "swarm before" --http "http://127.0.0.1:${B:-0}/announce" --udp "udp://127.0.0.1:${B:-0}/announce" --pid "${BEFORE_PID:-0}")
OT=(--name "opentracker" --http "http://127.0.0.1:$O/announce" --udp "udp://127.0.0.1:$O/announce" --pid "$OT_PID")
echo "| tracker | HTTP announces/s | UDP announces/s | fill announces/s | HTTP errors | peers remembered | RSS before MiB | RSS after MiB | bytes per remembered peer |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
$LOAD "${SWARM[@]}" "${COMMON[@]}" --phase fill --out "$WORK/swarm.fig"
$LOAD "${OT[@]}" "${COMMON[@]}" --phase fill --out "$WORK/ot.fig"
[ -z "$BEFORE" ] || $LOAD "${BEF[@]}" "${COMMON[@]}" --phase fill --out "$WORK/before.fig"
# The rates alternate tracker by tracker, ROUNDS times, and the medians are compared: the machine is shared, and its
# load moves within a minute; one tracker measured wholly after the other would carry the change as its own.
for r in $(seq "$ROUNDS"); do
  for phase in http udp; do
    $LOAD "${SWARM[@]}" "${COMMON[@]}" --phase "$phase" --out "$WORK/swarm.$phase"
    $LOAD "${OT[@]}" "${COMMON[@]}" --phase "$phase" --out "$WORK/ot.$phase"
    [ -z "$BEFORE" ] || $LOAD "${BEF[@]}" "${COMMON[@]}" --phase "$phase" --out "$WORK/before.$phase"
  done
done
echo "load after: $(uptime)"
read -r _ _ S_BYTES _ < "$WORK/swarm.fig"
read -r _ _ O_BYTES _ < "$WORK/ot.fig"
python3 - "$S_BYTES" "$O_BYTES" "$WORK" <<'PY'
import statistics, sys
sb, ob = map(float, sys.argv[1:3])
work = sys.argv[3]
def rates(name): return [float(x) for x in open(f"{work}/{name}").read().split()]
def verdict(ok): return "met" if ok else "NOT met"
for phase in ("http", "udp"):
    s, o = rates(f"swarm.{phase}"), rates(f"ot.{phase}")
    sm, om = statistics.median(s), statistics.median(o)
    each = ", ".join(f"{a / b:.2f}" for a, b in zip(s, o))
    print(f"{phase.upper()} announces/s, medians of {len(s)}: swarm {sm:.0f}, opentracker {om:.0f}: {sm / om:.2f}x (rounds: {each}) (goal >= 1.0: {verdict(sm >= om)})")
    sc, oc = rates(f"swarm.{phase}.cpu"), rates(f"ot.{phase}.cpu")
    print(f"  {phase.upper()} tracker CPU per announce, medians: swarm {statistics.median(sc):.1f} us, opentracker {statistics.median(oc):.1f} us")
print(f"bytes per remembered peer: swarm {sb:.0f}, opentracker {ob:.0f} (goal <= 100: {verdict(sb <= 100)})")
import os
if os.path.exists(f"{work}/before.fig"):
    bb = float(open(f"{work}/before.fig").read().split()[2])
    for phase in ("http", "udp"):
        s, b = rates(f"swarm.{phase}"), rates(f"before.{phase}")
        print(f"{phase.upper()} this build against BEFORE, medians of {len(s)}: {statistics.median(s):.0f} vs {statistics.median(b):.0f}: "
              f"{statistics.median(s) / statistics.median(b):.2f}x (rounds: {', '.join(f'{a / c:.2f}' for a, c in zip(s, b))})")
        sc, bc = rates(f"swarm.{phase}.cpu"), rates(f"before.{phase}.cpu")
        print(f"  {phase.upper()} CPU per announce, medians: this build {statistics.median(sc):.1f} us, BEFORE {statistics.median(bc):.1f} us")
    print(f"bytes per remembered peer: this build {sb:.0f}, BEFORE {bb:.0f}")
PY

#!/usr/bin/env bash
# Search latency benchmark (issue: index server), on demand: NODES (5) `swarm node` members, TORRENTS (10,000) tiny
# torrents spread over them, REQUESTS (200) searches from the first member. See bench/Console (SearchBench).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODES=${NODES:-5}
TORRENTS=${TORRENTS:-10000}
REQUESTS=${REQUESTS:-200}
WORK=$(mktemp -d /tmp/swarm-search-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
dotnet build "$REPO/src/Node" -c Release -nologo -v quiet >/dev/null
dotnet build "$REPO/bench/Console" -c Release -nologo -v quiet >/dev/null
SWARM="dotnet $REPO/src/Node/bin/Release/net10.0/swarm.dll"
CONSOLES=()
SEED=""
for i in $(seq "$NODES"); do
  # Replication factor 1: the benchmark measures search, not copies.
  echo 'swarm.cluster.replication-factor = 1' > "$WORK/r1.conf"
  $SWARM node --data-dir "$WORK/n$i" --bind 127.0.0.1 --port 0 --console-port 0 --cluster-port 0 --config "$WORK/r1.conf" \
    ${SEED:+--seed-node "$SEED"} >"$WORK/n$i.out" 2>"$WORK/n$i.err" &
  PIDS+=($!)
  until grep -q '^peers ' "$WORK/n$i.out"; do sleep 0.1; done
  [ -z "$SEED" ] && SEED=$(awk '/^cluster / {print $2}' "$WORK/n$i.out")
  CONSOLES+=("$(awk '/^console / {print $2}' "$WORK/n$i.out")")
done
sleep 5
dotnet "$REPO/bench/Console/bin/Release/net10.0/Swarm.Bench.Console.dll" --nodes "$(IFS=,; echo "${CONSOLES[*]}")" \
  --torrents "$TORRENTS" --requests "$REQUESTS" --work "$WORK"

#!/usr/bin/env bash
# Console round-trip benchmark (issue: actor console). Run on demand, not in CI.
# Loads TORRENTS (default 1,000) small torrents into a `swarm node` and, side by side, a transmission-daemon, then
#  1. in-process round trips (bench/Console): swarm `status` / `torrents --json` against Transmission RPC
#     `session-stats` / `torrent-get` with the same columns: median and p99 over REQUESTS (default 200);
#  2. one-shot commands as a script runs them: `swarm console status` / `torrents --json` against
#     `transmission-remote -st` / `-l`, median wall time over RUNS (default 10) process starts.
# Needs: dotnet, transmission-daemon, transmission-cli (scripts/install-peers.sh installs them).
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TORRENTS=${TORRENTS:-1000}
REQUESTS=${REQUESTS:-200}
RUNS=${RUNS:-10}
WORK=$(mktemp -d /tmp/swarm-console-bench.XXXXXX)
SWARM="dotnet $REPO/src/Node/bin/Release/net10.0/swarm.dll"
# shellcheck source=bench/processes.sh
source "$REPO/bench/processes.sh"

dotnet build "$REPO/src/Node" -c Release -nologo -v quiet >/dev/null
dotnet build "$REPO/bench/Console" -c Release -nologo -v quiet >/dev/null

$SWARM node --data-dir "$WORK/swarm" --bind 127.0.0.1 --port 0 --console-port 0 --rpc-port 0 >"$WORK/node.out" 2>"$WORK/node.err" &
PIDS+=($!)
until grep -q '^console ' "$WORK/node.out"; do sleep 0.1; done
NODE=$(awk '/^console / {print $2}' "$WORK/node.out")

RPC=$(free_port)
mkdir -p "$WORK/transmission"
cat >"$WORK/transmission/settings.json" <<JSON
{"bind-address-ipv4":"127.0.0.1","peer-port":$(free_port),"peer-port-random-on-start":false,"dht-enabled":false,
 "lpd-enabled":false,"pex-enabled":false,"port-forwarding-enabled":false,"utp-enabled":false,"rpc-enabled":true,
 "rpc-bind-address":"127.0.0.1","rpc-port":$RPC,"rpc-authentication-required":false,"rpc-whitelist-enabled":true,
 "rpc-whitelist":"127.0.0.1","rpc-host-whitelist-enabled":false,"download-dir":"$WORK","start-added-torrents":true,
 "ratio-limit-enabled":false,"message-level":1}
JSON
transmission-daemon -f -g "$WORK/transmission" >"$WORK/transmission.log" 2>&1 &
PIDS+=($!)
until transmission-remote "127.0.0.1:$RPC" -st >/dev/null 2>&1; do sleep 0.2; done

log "loading $TORRENTS torrents into swarm ($NODE) and transmission (127.0.0.1:$RPC)"
dotnet "$REPO/bench/Console/bin/Release/net10.0/Swarm.Bench.Console.dll" \
  --node "$NODE" --transmission "127.0.0.1:$RPC" --torrents "$TORRENTS" --requests "$REQUESTS" --work "$WORK/load"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wall NAME CMD...: median wall time (ms) of RUNS runs of a command, output discarded.
wall() {
  local name=$1; shift
  local times=()
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  echo "| $name | $(printf '%s\n' "${times[@]}" | median) ms |"
}
echo
echo "| one-shot command ($TORRENTS torrents, median of $RUNS) | wall time |"
echo "|---|---|"
wall "swarm console status" $SWARM console --node "$NODE" status
wall "swarm console torrents --json" $SWARM console --node "$NODE" torrents --json
wall "transmission-remote -st" transmission-remote "127.0.0.1:$RPC" -st
wall "transmission-remote -l" transmission-remote "127.0.0.1:$RPC" -l

# Idle cost of holding TORRENTS seeding torrents: CPU (share of one core) and resident memory of each process over
# IDLE_SECONDS (default 20) with no console traffic, after the loads above have settled.
IDLE_SECONDS=${IDLE_SECONDS:-20}
SWARM_PID=${PIDS[0]}
TRANSMISSION_PID=${PIDS[1]}
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }
# Settled: tiered compilation and the loads' garbage are done with before the sample starts.
sleep 30
s0=$(ticks "$SWARM_PID"); t0=$(ticks "$TRANSMISSION_PID")
sleep "$IDLE_SECONDS"
s1=$(ticks "$SWARM_PID"); t1=$(ticks "$TRANSMISSION_PID")
hz=$(getconf CLK_TCK)
echo
echo "| idle with $TORRENTS seeding torrents (${IDLE_SECONDS} s) | CPU (one core) | RSS |"
echo "|---|---|---|"
share() { printf '%.1f' "$(echo "($2 - $1) * 100 / ($hz * $IDLE_SECONDS)" | bc -l)"; }
echo "| swarm node | $(share "$s0" "$s1") % | $(rss "$SWARM_PID") MiB |"
echo "| transmission-daemon | $(share "$t0" "$t1") % | $(rss "$TRANSMISSION_PID") MiB |"

#!/usr/bin/env bash
# Footprint benchmark (issue 14). Run on demand, not in CI. In one run, side by side with a transmission-daemon:
#  1. an idle empty node: CPU (share of one core) and resident memory over IDLE_SECONDS (default 30);
#  2. the same with TORRENTS (default 1,000) small seeding torrents loaded into both (bench/Console loads the same
#     torrents through swarm's console and Transmission's RPC);
#  3. a one-shot `swarm console status` against that node, median wall time over RUNS (default 10) process starts,
#     beside `transmission-remote -st`: through the node's local socket (what `--node` on the node's machine takes),
#     over Akka remoting for comparison, and with R2R=1 from a ReadyToRun publish as well.
# Each figure is printed against its goal. Samples start after SETTLE seconds (default 30), when start-up,
# tiered compilation and the loads' garbage are done with. STATUS=0 skips part 3 (only the idle figures); IDLE=0 skips
# parts 1 and 2 (only the one-shot figures, after loading the torrents).
#   bench/footprint.sh
# Needs: dotnet, transmission-daemon, transmission-cli, python3, bc (scripts/install-peers.sh installs them).
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TORRENTS=${TORRENTS:-1000}
RUNS=${RUNS:-10}
IDLE_SECONDS=${IDLE_SECONDS:-30}
SETTLE=${SETTLE:-30}
WORK=$(mktemp -d /tmp/swarm-footprint.XXXXXX)
SWARM="dotnet $REPO/src/Node/bin/Release/net10.0/swarm.dll"
# shellcheck source=bench/processes.sh
source "$REPO/bench/processes.sh"
for tool in transmission-daemon transmission-remote bc python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-peers.sh installs it)" >&2; exit 1; }
done

dotnet build "$REPO/src/Node" -c Release -nologo -v quiet >/dev/null
dotnet build "$REPO/bench/Console" -c Release -nologo -v quiet >/dev/null

$SWARM node --data-dir "$WORK/swarm" --bind 127.0.0.1 --port 0 --console-port 0 --rpc-port 0 >"$WORK/node.out" 2>"$WORK/node.err" &
SWARM_PID=$!
PIDS+=("$SWARM_PID")
until grep -q '^console ' "$WORK/node.out"; do
  kill -0 "$SWARM_PID" 2>/dev/null || { cat "$WORK/node.err" >&2; echo "swarm node exited" >&2; exit 1; }
  sleep 0.1
done
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
TRANSMISSION_PID=$!
PIDS+=("$TRANSMISSION_PID")
until transmission-remote "127.0.0.1:$RPC" -st >/dev/null 2>&1; do sleep 0.2; done

HZ=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ {print int($2 / 1024)}' "/proc/$1/status"; }
# verdict VALUE GOAL: "met" when VALUE <= GOAL.
verdict() { if [ "$(echo "$1 <= $2" | bc -l)" = 1 ]; then echo met; else echo "not met"; fi; }
ROWS=()
# idle LABEL CPU_GOAL RSS_GOAL: samples both processes over the same IDLE_SECONDS.
idle() {
  local label=$1 cpu_goal=$2 rss_goal=$3
  log "$label: settling ${SETTLE} s, then sampling ${IDLE_SECONDS} s"
  sleep "$SETTLE"
  local s0 t0 s1 t1
  s0=$(ticks "$SWARM_PID"); t0=$(ticks "$TRANSMISSION_PID")
  sleep "$IDLE_SECONDS"
  s1=$(ticks "$SWARM_PID"); t1=$(ticks "$TRANSMISSION_PID")
  local sc tc sr tr
  sc=$(printf '%.1f' "$(echo "($s1 - $s0) * 100 / ($HZ * $IDLE_SECONDS)" | bc -l)")
  tc=$(printf '%.1f' "$(echo "($t1 - $t0) * 100 / ($HZ * $IDLE_SECONDS)" | bc -l)")
  sr=$(rss "$SWARM_PID"); tr=$(rss "$TRANSMISSION_PID")
  ROWS+=("| $label: CPU (one core) | $sc % | $tc % | ≤ $cpu_goal % | $(verdict "$sc" "$cpu_goal") |")
  ROWS+=("| $label: RSS | $sr MiB | $tr MiB | ≤ $rss_goal MiB | $(verdict "$sr" "$rss_goal") |")
}

if [ "${IDLE:-1}" != 0 ]; then idle "idle empty node" 1 100; fi

log "loading $TORRENTS torrents into swarm ($NODE) and transmission (127.0.0.1:$RPC)"
dotnet "$REPO/bench/Console/bin/Release/net10.0/Swarm.Bench.Console.dll" \
  --node "$NODE" --transmission "127.0.0.1:$RPC" --torrents "$TORRENTS" --requests 5 --work "$WORK/load" >/dev/null

if [ "${IDLE:-1}" != 0 ]; then idle "$TORRENTS idle seeding torrents" 1 150; fi

if [ "${STATUS:-1}" != 0 ]; then
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wall CMD...: median wall time (ms) of RUNS runs of a command, output discarded.
wall() {
  local times=()
  for _ in $(seq "$RUNS"); do
    local s e
    s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | median
}
log "one-shot status, $RUNS runs each"
sw=$(wall $SWARM console --node "$NODE" status)
tw=$(wall transmission-remote "127.0.0.1:$RPC" -st)
ROWS+=("| one-shot status, $TORRENTS torrents (median of $RUNS) | $sw ms | $tw ms | ≤ 100 ms | $(verdict "$sw" 100) |")
# The same command over Akka remoting, the wire of the shell and of consoles on other hosts: an empty --config makes
# the console read its configuration, and so take that way (the local socket is for `--node` without --config).
: >"$WORK/empty.conf"
rw=$(wall $SWARM console --node "$NODE" --config "$WORK/empty.conf" status)
ROWS+=("| … the same over Akka remoting (the shell's wire) | $rw ms | $tw ms | — | — |")
# R2R=1: also the ReadyToRun build a platform publish (the container, `dotnet publish -r linux-x64`) makes.
if [ -n "${R2R:-}" ]; then
  dotnet publish "$REPO/src/Node" -c Release -r linux-x64 --self-contained false -o "$WORK/r2r" -nologo -v quiet >/dev/null
  pw=$(wall dotnet "$WORK/r2r/swarm.dll" console --node "$NODE" status)
  ROWS+=("| … the same, ReadyToRun publish | $pw ms | $tw ms | ≤ 100 ms | $(verdict "$pw" 100) |")
fi
fi

echo
echo "Footprint ($(nproc) cores, $(date +%F), load $(cut -d' ' -f1 /proc/loadavg); swarm beside transmission-daemon $(transmission-daemon --version 2>&1 | head -1 | awk '{print $2}') in the same run):"
echo
echo "| figure | swarm | transmission | goal | swarm vs goal |"
echo "|---|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"

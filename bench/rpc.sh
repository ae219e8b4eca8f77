#!/usr/bin/env bash
# Transmission RPC benchmark (issue 18). Run on demand, not in CI: torrent-get of TORRENTS (default 1,000) torrents
# against a `swarm node` and a transmission-daemon side by side (bench/rpc.py does the requests).
# Needs: dotnet, python3, transmission-daemon (scripts/install-peers.sh installs it).
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/swarm-rpc-bench.XXXXXX)
SWARM="dotnet $REPO/src/Node/bin/Release/net10.0/swarm.dll"
STOP_ROUNDS=100  # up to 10 s for its node and daemon to stop (the others wait 5 s)
# shellcheck source=bench/processes.sh
source "$REPO/bench/processes.sh"

dotnet build "$REPO/src/Node" -c Release -nologo -v quiet >/dev/null

$SWARM node --data-dir "$WORK/swarm" --bind 127.0.0.1 --port 0 --console-port 0 --cluster-port 0 --rpc-port 0 >"$WORK/node.out" 2>"$WORK/node.err" &
PIDS+=($!)
until grep -q '^peers ' "$WORK/node.out"; do sleep 0.1; done
SWARM_RPC=$(awk '/^rpc / {print $2}' "$WORK/node.out")

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

python3 "$REPO/bench/rpc.py" "$SWARM_RPC" "127.0.0.1:$RPC" "$WORK/load"

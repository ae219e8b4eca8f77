#!/usr/bin/env bash
# DHT lookup benchmark (issue 15): time from a bare magnet to the first peer on a loopback DHT of a few dozen nodes
# (libtorrent and swarm mixed), swarm's leecher side by side with libtorrent's. Run on demand, not in CI. See dht.py.
#
#   bench/dht.sh                     # 24 libtorrent + 3 swarm DHT nodes, 3 runs per cell
#   LT_NODES=48 RUNS=5 bench/dht.sh
#
# Environment:
#   LT_NODES=24      plain libtorrent DHT nodes (one process hosts them all, beside the router)
#   SWARM_NODES=3    `swarm node` processes in the DHT
#   RUNS=3           leecher starts per cell (the table shows medians)
#   SIZE_KIB=1024    payload of each seeder's random torrent
#   SETTLE=15        seconds the DHT gets to fill its tables before the first seeder starts
#   CHURN=1          1: stop each leecher once measured (its dead node stays in the tables, as on the real DHT);
#                    0: leave them (and the libtorrent seeder) running to the end: no dead nodes
#   TIMEOUT=90       seconds a leecher gets to reach the seeder
#   CONFIG=Release   which build of swarm to run (src/Node/bin/$CONFIG/net10.0/swarm.dll)
#   SWARM_DLL=<path> that swarm.dll instead (a build elsewhere)
#   BASE_PORT=46800  ports BASE_PORT+1... on addresses 127.77.0.2...
#   WORK=<dir>       scratch folder (default: a new folder under /tmp, deleted at the end); KEEP=1 keeps it
#
# Needs: dotnet and /usr/bin/python3 with python3-libtorrent (2.0). Linux (sock_diag netlink, 127.0.0.0/8 on lo).
set -euo pipefail
CONFIG=${CONFIG:-Release}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export SWARM_DLL=${SWARM_DLL:-$REPO/src/Node/bin/$CONFIG/net10.0/swarm.dll}
PYTHON=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }
command -v dotnet >/dev/null || die "missing dotnet"
[[ -f $SWARM_DLL ]] || die "$SWARM_DLL not found; build it first: dotnet build $REPO/src/Node -c $CONFIG"
"$PYTHON" -c 'import libtorrent' 2>/dev/null || die "python3-libtorrent is not importable by $PYTHON"

export WORK=${WORK:-$(mktemp -d /tmp/swarm-dht-bench.XXXXXX)}
mkdir -p "$WORK"
cleanup() { if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; else echo "bench: kept $WORK" >&2; fi; }
trap cleanup EXIT
# dht.py stops every process it started (also on SIGTERM/SIGINT) before it returns.
"$PYTHON" "$REPO/bench/dht.py"

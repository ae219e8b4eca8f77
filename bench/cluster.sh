#!/usr/bin/env bash
# Cluster benchmark (issue: cluster), on demand: NODES (5) members, TORRENTS (10) × SIZE_MIB (64) MiB, R = 2.
# Gossip convergence, initial replication, repair after kill -9 with bytes moved, memory per node. See cluster.py.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dotnet build "$REPO/src/Node" -c Release -nologo -v quiet >/dev/null
exec python3 "$REPO/bench/cluster.py"

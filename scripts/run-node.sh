#!/usr/bin/env bash
# Builds SwarmActors and runs a node on embedded defaults (peer port 6881, state in ~/.local/share/swarm/node).
# Extra arguments go to `swarm node`, e.g. scripts/run-node.sh --port 7000 --bind 127.0.0.1
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Node -c Release -nologo -v quiet
exec dotnet src/Node/bin/Release/net10.0/swarm.dll node "$@"

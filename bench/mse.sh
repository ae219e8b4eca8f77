#!/usr/bin/env bash
# What message stream encryption (MSE/PE, issue 16) costs: swarm seed → swarm get over loopback TCP, once with plain
# connections (--encryption disable) and once with RC4 (--encryption require), in ONE run so both figures come from
# the same machine state. Prints MB/s and the CPU seconds of each side, then the encrypted/plain ratios.
# Run on demand, not in CI.
#
#   bench/mse.sh               # 1 GiB payload, 256 KiB pieces
#   SIZE=256M bench/mse.sh     # smaller payload (K/M/G suffixes, powers of 1024)
#
# Environment: SIZE=1G, CONFIG=Release (which build of swarm), TIMEOUT=900 (seconds per transfer).
# Needs: dotnet, mktorrent, openssl, GNU time (/usr/bin/time).
set -euo pipefail

SIZE=${SIZE:-1G}
CONFIG=${CONFIG:-Release}
TIMEOUT=${TIMEOUT:-900}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SWARM_DLL=$REPO/src/Node/bin/$CONFIG/net10.0/swarm.dll

die() { echo "bench: $*" >&2; exit 1; }
for tool in dotnet mktorrent openssl /usr/bin/time; do
  command -v "$tool" >/dev/null || die "missing $tool (apt-get install -y time mktorrent openssl)"
done
[[ -f $SWARM_DLL ]] || die "$SWARM_DLL not found; build it first: dotnet build $REPO/SwarmActors.sln -c $CONFIG"

WORK=$(mktemp -d /tmp/swarm-mse-bench.XXXXXX)
# shellcheck source=bench/processes.sh
source "$REPO/bench/processes.sh"

BYTES=$(numfmt --from=iec "$SIZE")
mkdir -p "$WORK/data"
log "payload: $SIZE of a fixed-seed pseudo-random stream"
# openssl dies of SIGPIPE once head has its bytes: not a failure.
(set +o pipefail; openssl enc -aes-128-ctr -nosalt -pass pass:swarm-mse-bench </dev/zero 2>/dev/null | head -c "$BYTES" >"$WORK/data/payload.bin")
mktorrent -l 18 -a http://127.0.0.1:1/announce -o "$WORK/payload.torrent" "$WORK/data/payload.bin" >/dev/null
SOURCE_SHA=$(sha256sum "$WORK/data/payload.bin" | cut -d' ' -f1)

cpu_seconds() { # PID: user + system CPU seconds used so far
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

wait_for_line() { # FILE REGEX PID
  local deadline=$((SECONDS + TIMEOUT))
  until grep -qE "$2" "$1" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || { cat "$1" "$1.err" >&2 2>/dev/null; die "process $3 exited before printing /$2/"; }
    ((SECONDS < deadline)) || die "no /$2/ in $1 within ${TIMEOUT}s"
    sleep 0.05
  done
}

RESULTS=()
run() { # POLICY
  local policy=$1 seed_port get_port out=$WORK/out-$1
  seed_port=$(free_port)
  get_port=$(free_port)
  dotnet "$SWARM_DLL" seed "$WORK/payload.torrent" --data "$WORK/data" --bind 127.0.0.1 --port "$seed_port" \
    --data-dir "$WORK/state-seed-$policy" --no-dht --encryption "$policy" >"$WORK/seed-$policy" 2>"$WORK/seed-$policy.err" &
  local seed_pid=$!
  PIDS+=("$seed_pid")
  wait_for_line "$WORK/seed-$policy" '^seeding' "$seed_pid"
  local seed_cpu_before start end
  seed_cpu_before=$(cpu_seconds "$seed_pid")
  log "$policy: swarm get from swarm seed"
  start=$(date +%s.%N)
  timeout "$TIMEOUT" /usr/bin/time -f "%U %S" -o "$WORK/time-$policy" \
    dotnet "$SWARM_DLL" get "$WORK/payload.torrent" -o "$out" --bind 127.0.0.1 --port "$get_port" \
    --data-dir "$WORK/state-get-$policy" --no-dht --encryption "$policy" --peer "127.0.0.1:$seed_port" \
    >"$WORK/get-$policy" 2>"$WORK/get-$policy.err" || { cat "$WORK/get-$policy.err" >&2; die "$policy: the download failed"; }
  end=$(date +%s.%N)
  local seed_cpu leech_cpu seconds
  seed_cpu=$(awk -v a="$seed_cpu_before" -v b="$(cpu_seconds "$seed_pid")" 'BEGIN { printf "%.2f", b - a }')
  leech_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/time-$policy")
  seconds=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  kill -TERM "$seed_pid" 2>/dev/null || true
  [[ $(sha256sum "$out/payload.bin" | cut -d' ' -f1) == "$SOURCE_SHA" ]] || die "$policy: the download differs from the source"
  rm -rf "$out"
  RESULTS+=("$policy $seconds $leech_cpu $seed_cpu")
}

run disable
run require

echo
printf '%-10s %10s %10s %14s %14s\n' "mode" "seconds" "MB/s" "leecher CPU s" "seeder CPU s"
for r in "${RESULTS[@]}"; do
  read -r policy seconds leech seed <<<"$r"
  printf '%-10s %10s %10.1f %14s %14s\n' "$( [[ $policy == disable ]] && echo plain || echo rc4)" "$seconds" \
    "$(awk -v b="$BYTES" -v s="$seconds" 'BEGIN { print b / s / 1e6 }')" "$leech" "$seed"
done
read -r _ plain_s plain_leech plain_seed <<<"${RESULTS[0]}"
read -r _ rc4_s rc4_leech rc4_seed <<<"${RESULTS[1]}"
awk -v ps="$plain_s" -v rs="$rc4_s" -v pl="$plain_leech" -v rl="$rc4_leech" -v pd="$plain_seed" -v rd="$rc4_seed" 'BEGIN {
  printf "\nrc4 / plain: throughput %.2fx, leecher CPU %.2fx, seeder CPU %.2fx\n", ps / rs, rl / pl, rd / pd }'

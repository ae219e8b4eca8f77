#!/usr/bin/env bash
# uTP benchmark (issue 16), on demand: one payload moved over uTP on loopback three ways in ONE run, so the figures
# share the machine's state: swarm -> swarm, libtorrent -> swarm, and libtorrent -> libtorrent (the reference).
# libtorrent runs with TCP off (lt_peer.py --utp-only); swarm dials uTP first (swarm.utp.dial-first = utp), so every
# transfer is uTP. Prints MB/s per transfer and the ratios against libtorrent -> libtorrent (goal >= 1.0x), twice:
# "transfer" from the leecher being ready (torrent added and checked, about to dial the seeder) to complete, which is
# what uTP decides, and "wall" from the leecher's launch, which adds process start-up (seconds for dotnet on a loaded
# machine, next to nothing for python) and so hides the transport at small sizes.
#
#   bench/utp.sh              # 64 MiB payload
#   SIZE=1G bench/utp.sh
#
# Needs: dotnet (swarm built: dotnet build src/Node -c Release), /usr/bin/python3 with python3-libtorrent, mktorrent,
# openssl.
set -euo pipefail

SIZE=${SIZE:-64M}
CONFIG=${CONFIG:-Release}
TIMEOUT=${TIMEOUT:-900}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LT_PEER=$REPO/tests/EndToEnd.Tests/peers/lt_peer.py
SWARM_DLL=${SWARM_DLL:-$REPO/src/Node/bin/$CONFIG/net10.0/swarm.dll}
PYTHON=/usr/bin/python3
WORK=$(mktemp -d /tmp/swarm-bench-utp.XXXXXX)
# shellcheck source=bench/processes.sh
source "$REPO/bench/processes.sh"

die() { echo "bench: $*" >&2; exit 1; }
for tool in dotnet mktorrent openssl "$PYTHON"; do command -v "$tool" >/dev/null || die "missing $tool"; done
[[ -f $SWARM_DLL ]] || die "$SWARM_DLL not found; build it first: dotnet build $REPO/src/Node -c $CONFIG"
"$PYTHON" -c 'import libtorrent' 2>/dev/null || die "python3-libtorrent is not importable by $PYTHON"

# wait_for_line FILE REGEX PID: waits (up to TIMEOUT) for a line in FILE while PID lives.
wait_for_line() {
  local file=$1 regex=$2 pid=$3 deadline=$((SECONDS + TIMEOUT))
  until grep -qE "$regex" "$file" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$file" "$file.err" >&2 2>/dev/null; die "process $pid exited before /$regex/"; }
    ((SECONDS < deadline)) || die "no /$regex/ in $file within ${TIMEOUT}s"
    sleep 0.05
  done
}

BYTES=$(numfmt --from=iec "$SIZE")
mkdir -p "$WORK/data"
log "payload: $SIZE"
# openssl ends on SIGPIPE once head has its bytes: not a failure.
{ openssl enc -aes-128-ctr -nosalt -pass pass:utp -pbkdf2 </dev/zero 2>/dev/null || true; } | head -c "$BYTES" >"$WORK/data/payload.bin"
mktorrent -l 18 -a http://127.0.0.1:1/announce -o "$WORK/t.torrent" "$WORK/data/payload.bin" >/dev/null
SUM=$(sha256sum <"$WORK/data/payload.bin" | cut -d' ' -f1)
# uTP ships off (swarm.peer.utp); the bench turns it on and dials it first. EXTRA_CONF adds keys to try.
printf 'swarm.peer.utp = on\nswarm.utp.dial-first = utp\n%s\n' "${EXTRA_CONF:-}" >"$WORK/utp-first.conf"

start_seeder() { # KIND PORT -> SEED_PID
  local kind=$1 port=$2 out=$WORK/seed-$2
  case $kind in
    swarm) dotnet "$SWARM_DLL" seed "$WORK/t.torrent" --data "$WORK/data" --bind 127.0.0.1 --port "$port" \
             --data-dir "$WORK/state-seed-$port" --config "$WORK/utp-first.conf" >"$out" 2>"$out.err" & ;;
    libtorrent) "$PYTHON" "$LT_PEER" seed "$WORK/t.torrent" "$WORK/data" "$port" --utp-only >"$out" 2>"$out.err" & ;;
  esac
  SEED_PID=$!
  PIDS+=("$SEED_PID")
  wait_for_line "$out" '^(seeding|ready)' "$SEED_PID"
}

# transfer SEEDER LEECHER: sets RESULT to "TRANSFER WALL", the MB/s of the leecher's download from ready and from launch to
# complete (data checked).
transfer() {
  local seeder=$1 leecher=$2 sport lport out start ready end
  sport=$(free_port)
  lport=$(free_port)
  start_seeder "$seeder" "$sport"
  out=$WORK/get-$lport
  start=$(date +%s.%N)
  case $leecher in
    swarm) dotnet "$SWARM_DLL" get "$WORK/t.torrent" -o "$out.d" --bind 127.0.0.1 --port "$lport" \
             --data-dir "$WORK/state-get-$lport" --config "$WORK/utp-first.conf" --peer "127.0.0.1:$sport" >"$out" 2>"$out.err" & ;;
    libtorrent) "$PYTHON" "$LT_PEER" get "$WORK/t.torrent" "$out.d" "$lport" --utp-only --peer "127.0.0.1:$sport" >"$out" 2>"$out.err" & ;;
  esac
  local pid=$!
  PIDS+=("$pid")
  case $leecher in
    swarm) wait_for_line "$out.err" ' added, saving to ' "$pid" ;;
    libtorrent) wait_for_line "$out" '^ready' "$pid" ;;
  esac
  ready=$(date +%s.%N)
  wait_for_line "$out" '^complete' "$pid"
  end=$(date +%s.%N)
  kill -TERM "$pid" "$SEED_PID" 2>/dev/null || true
  wait "$pid" "$SEED_PID" 2>/dev/null || true
  [[ $(sha256sum <"$out.d/payload.bin" | cut -d' ' -f1) == "$SUM" ]] || die "$seeder -> $leecher: downloaded data differs"
  rm -rf "$out.d"
  RESULT=$(awk -v b="$BYTES" -v s="$start" -v r="$ready" -v e="$end" 'BEGIN { printf "%.1f %.1f", b / (e - r) / 1e6, b / (e - s) / 1e6 }')
}
# Called directly, not in $(...): a command substitution's PIDS+= would be lost to the exit trap's clean-up.

uptime >&2
log "libtorrent -> libtorrent"
transfer libtorrent libtorrent
read -r LL LLW <<<"$RESULT"
log "libtorrent -> swarm"
transfer libtorrent swarm
read -r LS LSW <<<"$RESULT"
log "swarm -> swarm"
transfer swarm swarm
read -r SS SSW <<<"$RESULT"
uptime >&2

echo "| uTP on loopback, $SIZE | transfer MB/s | vs libtorrent -> libtorrent | wall MB/s | vs libtorrent -> libtorrent |"
echo "|---|---|---|---|---|"
row() { awk -v n="$1" -v x="$2" -v r="$3" -v xw="$4" -v rw="$5" 'BEGIN { printf "| %s | %s | %.2fx | %s | %.2fx |\n", n, x, x / r, xw, xw / rw }'; }
row "libtorrent -> libtorrent" "$LL" "$LL" "$LLW" "$LLW"
row "libtorrent -> swarm" "$LS" "$LL" "$LSW" "$LLW"
row "swarm -> swarm" "$SS" "$LL" "$SSW" "$LLW"

#!/usr/bin/env bash
# Loopback throughput benchmark: swarm against libtorrent (and aria2 for leecher CPU), in ONE run
# so that every figure in the table comes from the same machine state. Run on demand, not in CI.
#
#   bench/run.sh                 # 1 GiB payload, 256 KiB pieces
#   SIZE=256M bench/run.sh       # smaller payload (K/M/G suffixes, powers of 1024)
#
# Environment:
#   SIZE=1G          payload size
#   CONFIG=Release   which build of swarm to run (src/Node/bin/$CONFIG/net10.0/swarm.dll)
#   BASE_PORT=47000  first of the loopback ports used
#   WORK=<dir>       scratch folder (default: a new folder under /tmp, deleted at the end)
#   KEEP=1           keep the scratch folder
#   TIMEOUT=900      seconds allowed per transfer
#   RUNS=3           rounds of the transfers: every row runs once per round, rounds one after another (interleaved,
#                    so each row sees the same spread of machine states); the table shows each column's median
#   ONLY=pieces      run only the piece-count rows (4,096 and 262,144 pieces, swarm → swarm) and their ratio: no
#                    libtorrent/aria2 transfers and no hash check
#
# Prints the transfer table, then issue 14's goals as ratios from this run (met / not met), including the same payload
# cut into 4,096 and into 262,144 pieces (swarm on both sides: libtorrent refuses pieces under 16 KiB).
#
# Needs: dotnet, /usr/bin/python3 with python3-libtorrent, aria2c, opentracker, mktorrent,
# openssl, GNU time (/usr/bin/time, apt package "time").
set -euo pipefail

SIZE=${SIZE:-1G}
RUNS=${RUNS:-3}
CONFIG=${CONFIG:-Release}
BASE_PORT=${BASE_PORT:-47000}
TIMEOUT=${TIMEOUT:-900}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LT_PEER=$REPO/tests/EndToEnd.Tests/peers/lt_peer.py
SWARM_DLL=$REPO/src/Node/bin/$CONFIG/net10.0/swarm.dll
PYTHON=/usr/bin/python3

die() { echo "bench: $*" >&2; exit 1; }

for tool in dotnet aria2c opentracker mktorrent openssl /usr/bin/time "$PYTHON"; do
  command -v "$tool" >/dev/null || die "missing $tool (apt-get install -y time aria2 opentracker mktorrent python3-libtorrent openssl)"
done
[[ -f $SWARM_DLL ]] || die "$SWARM_DLL not found; build it first: dotnet build $REPO/SwarmActors.sln -c $CONFIG"
"$PYTHON" -c 'import libtorrent' 2>/dev/null || die "python3-libtorrent is not importable by $PYTHON"

BYTES=$(numfmt --from=iec "$SIZE")
WORK=${WORK:-$(mktemp -d /tmp/swarm-bench.XXXXXX)}
mkdir -p "$WORK"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; else echo "bench: kept $WORK" >&2; fi
}
trap cleanup EXIT

log() { echo "[$(date +%T)] $*" >&2; }

# --- helpers -------------------------------------------------------------------------------

# wait_for_line FILE REGEX SECONDS PID: waits for a line in FILE while PID lives.
wait_for_line() {
  local file=$1 regex=$2 seconds=$3 pid=$4 deadline=$((SECONDS + $3))
  until grep -qE "$regex" "$file" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$file" "$file.err" >&2 2>/dev/null; die "process $pid exited before printing /$regex/"; }
    ((SECONDS < deadline)) || { cat "$file" "$file.err" >&2 2>/dev/null; die "no /$regex/ in $file within ${seconds}s"; }
    sleep 0.05
  done
}

# CPU seconds (user + system) a live process has used so far.
cpu_seconds() {
  local ticks
  ticks=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

# Peak resident set size of a live process, in MiB.
peak_rss_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

now() { date +%s.%N; }

stop_process() {
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

# Seeder commands: print "ready"/"seeding" on stdout when they accept peers.
start_seeder() { # KIND TORRENT PORT OUTFILE -> sets SEED_PID
  local kind=$1 torrent=$2 port=$3 out=$4
  # Emptied here, not by the background command's redirection: that runs after the fork, so wait_for_line could
  # still read the previous round's "seeding" line and start the leecher before this seeder listens.
  : >"$out"
  case $kind in
    swarm) dotnet "$SWARM_DLL" seed "$torrent" --data "$WORK/data" --bind 127.0.0.1 --port "$port" \
             --data-dir "$WORK/state-seed-$port" >"$out" 2>"$out.err" & ;;
    libtorrent) "$PYTHON" "$LT_PEER" seed "$torrent" "$WORK/data" "$port" >"$out" 2>"$out.err" & ;;
  esac
  SEED_PID=$!
  PIDS+=("$SEED_PID")
  wait_for_line "$out" '^(seeding|ready)' "$TIMEOUT" "$SEED_PID"
}

# Leecher command lines (into the LEECH array); each exits 0 when the download is complete.
leecher_command() { # KIND TORRENT PORT OUTDIR SEEDPORT
  local kind=$1 torrent=$2 port=$3 outdir=$4 seed_port=$5
  case $kind in
    swarm) LEECH=(dotnet "$SWARM_DLL" get "$torrent" -o "$outdir" --bind 127.0.0.1 --port "$port"
             --data-dir "$WORK/state-get-$port") ;;
    libtorrent) LEECH=("$PYTHON" "$LT_PEER" get "$torrent" "$outdir" "$port") ;;
    aria2) LEECH=(aria2c --dir="$outdir" --enable-dht=false --enable-dht6=false --enable-peer-exchange=false
             --bt-enable-lpd=false --disable-ipv6=true --interface=127.0.0.1 --listen-port="$port"
             --file-allocation=falloc --seed-time=0 --summary-interval=0 --show-console-readout=false "$torrent") ;;
  esac
  # Through the tracker the leecher finds the seeder by announcing; otherwise it is told where the seeder is.
  if [[ $torrent != *tracked* && $kind != aria2 ]]; then LEECH+=(--peer "127.0.0.1:$seed_port"); fi
}

# Waits until the tracker lists a seeder: aria2 only learns peers that announced before it.
wait_for_tracker_seeder() {
  "$PYTHON" - "$TRACKER_PORT" "$INFO_HASH" <<'EOF'
import sys, time, urllib.request
port, info_hash = sys.argv[1], bytes.fromhex(sys.argv[2])
url = f"http://127.0.0.1:{port}/scrape?info_hash=" + "".join(f"%{b:02X}" for b in info_hash)
for _ in range(300):
    body = urllib.request.urlopen(url).read()
    if b"8:completei" in body and b"8:completei0e" not in body:
        sys.exit(0)
    time.sleep(0.1)
sys.exit("no seeder announced to the tracker within 30 s")
EOF
}

# first_data_probe LEECH_PORT SEED_PORT START, in the background beside a leecher: prints "LISTEN FIRST", the seconds
# after START (epoch) at which the leecher's peer port listened and at which the seeder had delivered a first block
# (16 KiB acknowledged on one connection of the seeder's port); "-" for what never happened. It asks the kernel
# (sock_diag netlink, tcp_info.tcpi_bytes_acked) every millisecond, so it times every client alike, ours or not.
first_data_probe() {
  "$PYTHON" - "$1" "$2" "$3" "$TIMEOUT" <<'EOF'
import socket, struct, sys, time

NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, NLM_F_DUMP = 4, 20, 1, 0x300
INET_DIAG_INFO, TCP_LISTEN, BYTES_ACKED = 2, 10, 120  # offset of tcpi_bytes_acked in struct tcp_info (Linux 4.1+)

def sockets(states):
    """(local port, tcpi_bytes_acked or None) of every IPv4 TCP socket whose state is in the mask."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG)
    req = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 1 << (INET_DIAG_INFO - 1), 0, states) + bytes(48)
    s.sendto(struct.pack("=IHHII", 16 + len(req), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + req, (0, 0))
    found = []
    try:
        while True:
            data, off = s.recv(1 << 16), 0
            while off < len(data):
                length, kind = struct.unpack_from("=IH", data, off)
                if kind in (2, 3):  # NLMSG_ERROR, NLMSG_DONE
                    return found
                msg = off + 16  # struct inet_diag_msg, then its attributes
                port, acked, attr = struct.unpack_from(">H", data, msg + 4)[0], None, msg + 72
                while attr + 4 <= off + length:
                    alen, atype = struct.unpack_from("=HH", data, attr)
                    if atype == INET_DIAG_INFO and alen >= 4 + BYTES_ACKED + 8:
                        acked = struct.unpack_from("=Q", data, attr + 4 + BYTES_ACKED)[0]
                    attr += (alen + 3) & ~3
                found.append((port, acked))
                off += (length + 3) & ~3
    finally:
        s.close()

leech, seed, start, timeout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
listen = first = None
while first is None and time.time() < start + timeout:
    if listen is None and any(port == leech for port, _ in sockets(1 << TCP_LISTEN)):
        listen = time.time()
    if any(port == seed and (acked or 0) >= 16384 for port, acked in sockets(0xFFF & ~(1 << TCP_LISTEN))):
        first = time.time()
    time.sleep(0.001)
print(*("-" if t is None else f"{t - start:.3f}" for t in (listen, first)))
EOF
}

ROWS=()    # row keys in the order of the first round
RUN=0      # transfers so far (each gets its own ports)
ROUND=1
# Per row key ("seeder → leecher" plus " (tracker)" or a label) and round: the run's figures, "failed" or "CORRUPT".
declare -A RESULT
# Medians over the rounds, per row key: MB/s, first block s, leecher CPU s and RSS MiB (the goals read these).
declare -A MBPS FIRST LCPU LRSS

# run_transfer SEEDER LEECHER TORRENT [LABEL]: one measured transfer into a fresh folder.
run_transfer() {
  local seeder=$1 leecher=$2 torrent=$3 port=$((BASE_PORT + RUN * 2 + 20))
  RUN=$((RUN + 1))
  local via=""
  [[ $torrent != *tracked* ]] || via=" (tracker)"
  [[ -z ${4:-} ]] || via=" ($4)"
  local key="$seeder → $leecher$via"
  ((ROUND > 1)) || ROWS+=("$key")
  local outdir=$WORK/out-$seeder-$leecher seed_out=$WORK/seed-$seeder-$leecher.log
  rm -rf "$outdir"; mkdir -p "$outdir"
  # Every run starts with the payload in the page cache: this measures the peers, not the disk.
  cat "$WORK/data/payload.bin" >/dev/null
  log "round $ROUND: $key"
  start_seeder "$seeder" "$torrent" "$port" "$seed_out"
  [[ $torrent != *tracked* ]] || wait_for_tracker_seeder
  local seed_cpu0; seed_cpu0=$(cpu_seconds "$SEED_PID")

  local start end rc=0 probe
  start=$(now)
  first_data_probe $((port + 1)) "$port" "$start" >"$WORK/first-data.txt" &
  probe=$!
  leecher_command "$leecher" "$torrent" $((port + 1)) "$outdir" "$port"
  # timeout inside time: time's figures then include the leecher (its waited-for grandchild).
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" timeout "$TIMEOUT" "${LEECH[@]}" \
    >"$WORK/leech-$seeder-$leecher.log" 2>&1 || rc=$?
  end=$(now)
  # The probe ends at the first block; one still waiting (no block ever came) is stopped here.
  kill "$probe" 2>/dev/null || true
  wait "$probe" 2>/dev/null || true
  local listen_at="-" first_at="-"
  read -r listen_at first_at <"$WORK/first-data.txt" || true
  local seed_cpu1 seed_rss
  seed_cpu1=$(cpu_seconds "$SEED_PID")
  seed_rss=$(peak_rss_mib "$SEED_PID")
  stop_process "$SEED_PID"

  if ((rc != 0)); then
    tail -20 "$WORK/leech-$seeder-$leecher.log" >&2
    RESULT[$key#$ROUND]="failed (exit $rc)"
    return
  fi
  if ! cmp -s "$WORK/data/payload.bin" "$outdir/payload.bin"; then
    RESULT[$key#$ROUND]=CORRUPT
    rm -rf "$outdir"
    return
  fi
  local user sys rss_kib
  read -r _ user sys rss_kib <"$WORK/time.txt"
  # Columns: MB/s, wall, start → listen, listen → first block, seeder CPU, leecher CPU, seeder RSS, leecher RSS.
  RESULT[$key#$ROUND]=$(awk -v bytes="$BYTES" -v a="$start" -v b="$end" -v la="$listen_at" -v fa="$first_at" \
      -v c0="$seed_cpu0" -v c1="$seed_cpu1" -v u="$user" -v k="$sys" -v sr="$seed_rss" -v lr="$rss_kib" \
      'BEGIN { wall = b - a;
               printf "%.1f %.2f %s %s %.2f %.2f %d %d", bytes / wall / 1e6, wall,
                      la == "-" ? "-" : sprintf("%.2f", la), (la == "-" || fa == "-") ? "-" : sprintf("%.2f", fa - la),
                      c1 - c0, u + k, sr, lr / 1024 }')
  rm -rf "$outdir"
}

# median VALUES...: the median of the numbers given ("-" ignored; "-" when none), the lower middle of an even count.
median() {
  printf '%s\n' "$@" | { grep -v '^-$' || true; } | sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'
}

# table_row KEY: the row of KEY with each column's median over the rounds that completed; sets the goal arrays.
table_row() {
  local key=$1 round col bad="" done=0
  local -a cols=() values
  for ((round = 1; round <= RUNS; round++)); do
    local r=${RESULT[$key#$round]:-}
    case $r in
      "" ) ;;
      failed* | CORRUPT) bad+="${bad:+, }round $round $r" ;;
      *) done=$((done + 1)); read -r -a values <<<"$r"
         for col in 0 1 2 3 4 5 6 7; do cols[col]+="${values[col]} "; done ;;
    esac
  done
  if ((done == 0)); then
    echo "| $key | ${bad:-not run} | | | | | | | | |"
    return
  fi
  local -a m=()
  for col in 0 1 2 3 4 5 6 7; do
    # shellcheck disable=SC2086 # word splitting of the collected values is wanted
    m[col]=$(median ${cols[col]})
  done
  MBPS[$key]=${m[0]} FIRST[$key]=${m[3]} LCPU[$key]=${m[5]} LRSS[$key]=${m[7]}
  local data="ok"
  ((done == RUNS)) || data="$done of $RUNS ok"
  [[ -z $bad ]] || data="$data; $bad"
  printf '| %s | %.0f | %.2f | %s | %s | %.2f | %.2f | %d | %d | %s |\n' "$key" "${m[0]}" "${m[1]}" \
    "$(dash "${m[2]}")" "$(dash "${m[3]}")" "${m[4]}" "${m[5]}" "${m[6]}" "${m[7]}" "$data"
}
dash() { [[ $1 == - ]] && echo "–" || echo "$1"; }

# --- payload and torrents ------------------------------------------------------------------

log "payload: $SIZE ($BYTES bytes) in $WORK"
mkdir -p "$WORK/data"
# A fixed-key AES-CTR keystream: random-looking, reproducible. openssl dies of SIGPIPE when head
# has enough, which pipefail would count as a failure.
(openssl enc -aes-128-ctr -nosalt -pass pass:swarm-bench -pbkdf2 </dev/zero 2>/dev/null || true) |
  head -c "$BYTES" >"$WORK/data/payload.bin"
[[ $(stat -c %s "$WORK/data/payload.bin") == "$BYTES" ]] || die "payload generation failed"
mktorrent -l 18 -o "$WORK/direct.torrent" "$WORK/data/payload.bin" >/dev/null
# Same info dictionary (so the same info-hash) with an announce URL: aria2 cannot be given a peer.
TRACKER_PORT=$((BASE_PORT + 1))
mktorrent -l 18 -a "http://127.0.0.1:$TRACKER_PORT/announce" -o "$WORK/tracked.torrent" "$WORK/data/payload.bin" >/dev/null
# The same payload cut into 4,096 and into 262,144 pieces: picking cost must not grow with the piece count.
make_torrent() { # PIECES OUT
  "$PYTHON" - "$WORK/data/payload.bin" "$1" "$2" <<'EOF2'
import hashlib, os, sys
path, pieces, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
size = os.path.getsize(path)
length = max(1, size // pieces)
hashes = bytearray()
with open(path, "rb") as f:
    while chunk := f.read(length):
        hashes += hashlib.sha1(chunk).digest()
def benc(v):
    if isinstance(v, int): return b"i%de" % v
    if isinstance(v, bytes): return b"%d:%s" % (len(v), v)
    if isinstance(v, str): return benc(v.encode())
    return b"d" + b"".join(benc(k) + benc(v[k]) for k in sorted(v)) + b"e"
info = {"name": "payload.bin", "length": size, "piece length": length, "pieces": bytes(hashes)}
open(out, "wb").write(benc({"info": info}))
EOF2
}
make_torrent 4096 "$WORK/pieces-4096.torrent"
make_torrent 262144 "$WORK/pieces-262144.torrent"
INFO_HASH=$("$PYTHON" -c 'import libtorrent as lt, sys; print(lt.torrent_info(sys.argv[1]).info_hash())' "$WORK/direct.torrent")

# --- hash check: swarm seed vs single-core SHA-1 -------------------------------------------

# time_swarm_seed TORRENT PORT: seconds from start to `seeding`; sets SEED_CPU and SEED_RSS.
time_swarm_seed() {
  local torrent=$1 port=$2 out=$WORK/hashcheck-$2.log start pid
  cat "$WORK/data/"* >/dev/null # hot page cache: measure hashing, not the disk
  : >"$out" # see start_seeder
  start=$(now)
  dotnet "$SWARM_DLL" seed "$torrent" --data "$WORK/data" --bind 127.0.0.1 --port "$port" \
    --data-dir "$WORK/state-hash-$port" >"$out" 2>"$out.err" &
  pid=$!
  PIDS+=("$pid")
  wait_for_line "$out" '^seeding ' "$TIMEOUT" "$pid"
  SEED_WALL=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
  SEED_CPU=$(cpu_seconds "$pid")
  SEED_RSS=$(peak_rss_mib "$pid")
  stop_process "$pid"
}

if [[ ${ONLY:-} != pieces ]]; then
log "hash check by swarm seed"
# Start-up (runtime, actor system, listener) measured on a one-piece torrent, then subtracted.
head -c 262144 "$WORK/data/payload.bin" >"$WORK/data/tiny.bin"
mktorrent -l 18 -o "$WORK/tiny.torrent" "$WORK/data/tiny.bin" >/dev/null
# Hashing runs at GB/s, so start-up noise matters: keep the fastest of three runs of each.
base_wall=999 hash_wall=999
for run in 1 2 3; do
  time_swarm_seed "$WORK/tiny.torrent" $((BASE_PORT + 2 * run))
  if awk -v a="$SEED_WALL" -v b="$base_wall" 'BEGIN { exit !(a < b) }'; then base_wall=$SEED_WALL base_cpu=$SEED_CPU; fi
  time_swarm_seed "$WORK/direct.torrent" $((BASE_PORT + 2 * run + 1))
  if awk -v a="$SEED_WALL" -v b="$hash_wall" 'BEGIN { exit !(a < b) }'; then hash_wall=$SEED_WALL hash_cpu=$SEED_CPU hash_rss=$SEED_RSS; fi
done
rm -f "$WORK/data/tiny.bin"

# .NET's SHA1.HashData calls OpenSSL on Linux, so `openssl speed` is the single-core figure it can reach.
# openssl speed prints "sha1 <rates in 1000s of bytes per second>"; the last column is 256 KiB blocks.
SHA1_MBPS=$(openssl speed -evp sha1 -bytes 262144 -seconds 3 2>/dev/null |
  awk '/^sha1/ { v = $NF; sub(/k$/, "", v); printf "%.0f", v * 1000 / 1e6 }')
PY_SHA1_MBPS=$("$PYTHON" - "$WORK/data/payload.bin" <<'EOF'
import hashlib, sys, time
piece = 1 << 18
with open(sys.argv[1], "rb") as f:
    start, total = time.perf_counter(), 0
    while chunk := f.read(piece):
        hashlib.sha1(chunk).digest()
        total += len(chunk)
print(f"{total / (time.perf_counter() - start) / 1e6:.0f}")
EOF
)

# --- transfers -----------------------------------------------------------------------------

fi # ONLY != pieces (hash check)

if [[ ${ONLY:-} != pieces ]]; then
  mkdir -p "$WORK/tracker"
  chmod 755 "$WORK/tracker"
  echo "$INFO_HASH" >"$WORK/tracker/whitelist.txt"
  (cd "$WORK/tracker" && exec opentracker -i 127.0.0.1 -p "$TRACKER_PORT" -P "$TRACKER_PORT" -d "$WORK/tracker" -w whitelist.txt) \
    >"$WORK/tracker.log" 2>&1 &
  PIDS+=("$!")
  # Bounded wait for opentracker's port (aria2 finds the seeder only through it).
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$TRACKER_PORT") 2>/dev/null && break; sleep 0.05; done
fi
for ((ROUND = 1; ROUND <= RUNS; ROUND++)); do
  if [[ ${ONLY:-} != pieces ]]; then
    run_transfer swarm swarm "$WORK/direct.torrent"
    run_transfer libtorrent libtorrent "$WORK/direct.torrent"
    run_transfer libtorrent swarm "$WORK/direct.torrent"
    run_transfer swarm libtorrent "$WORK/direct.torrent"
    run_transfer libtorrent aria2 "$WORK/tracked.torrent"
    run_transfer swarm swarm "$WORK/tracked.torrent"
    run_transfer libtorrent libtorrent "$WORK/tracked.torrent"
  fi
  # libtorrent refuses pieces under 16 KiB: swarm on both sides.
  run_transfer swarm swarm "$WORK/pieces-4096.torrent" "4,096 pieces"
  run_transfer swarm swarm "$WORK/pieces-262144.torrent" "262,144 pieces"
done

# --- report --------------------------------------------------------------------------------

CORES=$(nproc)
echo
echo "Loopback, $SIZE payload ($BYTES bytes), 256 KiB pieces, TCP; $(nproc) cores, $(uname -r); swarm $CONFIG build; $(date -u +%F)"
echo
echo "| transfer | MB/s | wall s | leecher start → listen s | listen → first block s | seeder CPU s | leecher CPU s | seeder peak RSS MiB | leecher peak RSS MiB | data |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for key in "${ROWS[@]}"; do table_row "$key"; done
echo
echo "Each column is the median of $RUNS interleaved rounds (every row once per round)."
echo "MB/s = 10^6 bytes per second of leecher wall time (process start to exit). Seeder CPU counts the"
echo "transfer only (sampled when the leecher starts and exits); leecher CPU and RSS cover its whole life."
echo "First data: when the leecher's peer port was listening (after its process started), and how long after that"
echo "the seeder had its first 16 KiB block acknowledged (kernel TCP counters, polled every ms). Through the"
echo "tracker the second figure includes the leecher's first announce."
echo

# --- issue 14's goals, as ratios from this run ---------------------------------------------

# ratio NAME VALUE GOAL-TEXT PASS(1/0): one row of the goals table.
goal_row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$([[ $4 == 1 ]] && echo met || echo "not met")"; }
# div A B: A / B to two decimals, "–" when either is missing or B is 0.
div() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "–"; else printf "%.2f", a / b }'; }
at_least() { awk -v v="$1" -v g="$2" 'BEGIN { exit !(v != "–" && v + 0 >= g) }' && echo 1 || echo 0; }
at_most() { awk -v v="$1" -v g="$2" 'BEGIN { exit !(v != "–" && v != "-" && v + 0 <= g) }' && echo 1 || echo 0; }
GIB=$(awk -v b="$BYTES" 'BEGIN { print b / 1073741824 }')
per_gib() { awk -v c="${1:-}" -v g="$GIB" 'BEGIN { if (c == "") print "–"; else printf "%.2f", c / g }'; }
echo "| goal (issue 14) | this run | target | |"
echo "|---|---:|---|---|"
r=$(div "${MBPS[swarm → swarm]:-}" "${MBPS[libtorrent → libtorrent]:-}")
goal_row "swarm → swarm MB/s ÷ libtorrent → libtorrent" "$r" "≥ 1.2" "$(at_least "$r" 1.2)"
r=$(div "${MBPS[libtorrent → swarm]:-}" "${MBPS[libtorrent → libtorrent]:-}")
goal_row "libtorrent → swarm MB/s ÷ libtorrent → libtorrent" "$r" "≥ 1.0" "$(at_least "$r" 1.0)"
r=$(div "${MBPS[swarm → libtorrent]:-}" "${MBPS[libtorrent → libtorrent]:-}")
goal_row "swarm → libtorrent MB/s ÷ libtorrent → libtorrent" "$r" "≥ 1.0" "$(at_least "$r" 1.0)"
ours=$(per_gib "${LCPU[libtorrent → swarm]:-}") aria=$(per_gib "${LCPU[libtorrent → aria2 (tracker)]:-}")
r=$(div "$ours" "$aria")
goal_row "leecher CPU s/GiB: swarm $ours ÷ aria2 $aria (libtorrent seeding)" "$r" "≤ 1.0" "$(at_most "$r" 1.0)"
goal_row "swarm leecher peak RSS MiB (libtorrent → swarm, $SIZE)" "${LRSS[libtorrent → swarm]:-–}" "≤ 100 for 1 GiB" "$(at_most "${LRSS[libtorrent → swarm]:-–}" 100)"
f=${FIRST[libtorrent → swarm]:-–}
goal_row "first block after the swarm leecher listens, s (libtorrent → swarm)" "$f" "≤ 0.3" "$(at_most "$f" 0.3)"
f=${FIRST[swarm → swarm]:-–}
goal_row "first block after the swarm leecher listens, s (swarm → swarm)" "$f" "≤ 0.3" "$(at_most "$f" 0.3)"
r=$(div "${MBPS[swarm → swarm (262,144 pieces)]:-}" "${MBPS[swarm → swarm (4,096 pieces)]:-}")
goal_row "MB/s with 262,144 pieces ÷ with 4,096 (same payload, swarm → swarm)" "$r" "≥ 1.0" "$(at_least "$r" 1.0)"
echo
echo "Ratios of MB/s over the leecher's whole life (start-up included) from the table above; CPU per GiB"
echo "likewise includes the leecher's start-up. The piece-count rows use $(awk -v b="$BYTES" 'BEGIN { printf "%d and %d", b / 4096, b / 262144 }')-byte pieces."
[[ ${ONLY:-} != pieces ]] || exit 0 # no hash check was run
echo
echo "| hash check | wall s | start-up s | net s | net MB/s | CPU s (net) | cores used | SHA-1 1-core MB/s (openssl) | SHA-1 1-core MB/s (python) | net MB/s vs SHA-1 × cores used | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -v w="$hash_wall" -v bw="$base_wall" -v c="$hash_cpu" -v bc="$base_cpu" -v b="$BYTES" -v s="$SHA1_MBPS" \
    -v p="$PY_SHA1_MBPS" -v r="$hash_rss" -v n="$CORES" \
  'BEGIN { net = w - bw; if (net < 0.001) net = 0.001; cpu = c - bc; mbps = b / net / 1e6;
           used = cpu / net; if (used > n) used = n; if (used < 1) used = 1;
           printf "| swarm seed, start to `seeding` | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f | %d | %d | %.0f %% | %d |\n",
                  w, bw, net, mbps, cpu, used, s, p, 100 * mbps / (s * used), r }'
echo
echo "Fastest of three runs each. Start-up is the same command on a one-piece torrent; net = wall − start-up. The payload was in"
echo "the page cache. \"cores used\" = net CPU / net wall, clamped to 1..nproc."

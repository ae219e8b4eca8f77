#!/usr/bin/env bash
# Recovery benchmark (issue: restart without losing progress). Run on demand, not in CI.
# For SQLite and PostgreSQL, fills a node's journal as if it had downloaded:
#   1 torrent of 4,096 pieces (1 GiB), 100 torrents of 64 pieces, 1,000 torrents of 16 pieces (256 KiB pieces)
# then times `swarm node` from process start until every torrent is back (resumed and seeding), with the node's CPU
# seconds until then, peak RSS and the load average (the machine may be shared: CPU is the steadier figure).
# Finally measures journal throughput during a 1 GiB loopback download (SQLite).
#   bench/recovery.sh            # RUNS=3 runs per case, median reported
#   STORES=sqlite SPECS="1000 16" DOWNLOAD=0 bench/recovery.sh   # one case, no download part
#   BULK_RECOVERY=off bench/recovery.sh   # each journal replays its own history (swarm.persistence.bulk-recovery)
# Needs: dotnet, postgresql (server binaries), python3, openssl, bc (scripts/install-peers.sh installs them);
# run as root (the PostgreSQL server runs as postgres).
set -euo pipefail
[ -n "${TRACE:-}" ] && set -x
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
STORES=${STORES:-sqlite postgresql}
SPECS=${SPECS:-1 4096,100 64,1000 16}
DOWNLOAD=${DOWNLOAD:-1}
WORK=$(mktemp -d /tmp/swarm-recovery.XXXXXX)
chmod 755 "$WORK"
SWARM="dotnet $REPO/src/Node/bin/Release/net10.0/swarm.dll"
POPULATE="dotnet $REPO/bench/Recovery/bin/Release/net10.0/Swarm.Bench.Recovery.dll"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGPORT=${PGPORT:-55499}
PIDS=()

cleanup() {
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  [ -d "$WORK/pg" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }

dotnet build "$REPO/src/Node" -c Release -nologo -v quiet >/dev/null
dotnet build "$REPO/bench/Recovery" -c Release -nologo -v quiet >/dev/null

if [[ " $STORES " == *" postgresql "* ]]; then
  log "starting PostgreSQL on 127.0.0.1:$PGPORT"
  mkdir -p "$WORK/pg" && chown postgres:postgres "$WORK/pg"
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/log" -w -o "-p $PGPORT -c listen_addresses=127.0.0.1 -k $WORK/pg" start >/dev/null
fi

# recover DATA_DIR TORRENTS [CONFIG]: seconds from start until TORRENTS "resumed" lines, CPU seconds of the node
# until then, peak RSS (MiB) and the 1-minute load average.
recover() {
  local dir=$1 count=$2 config=${3:-}
  local err="$WORK/node.err" start end pid
  start=$(date +%s.%N)
  $SWARM node --data-dir "$dir" --bind 127.0.0.1 --port 0 ${config:+--config "$config"} >/dev/null 2>"$err" &
  pid=$!
  PIDS+=("$pid")
  until [ "$(grep -c 'verified pieces from the journal' "$err" 2>/dev/null || true)" -ge "$count" ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; echo "node exited" >&2; exit 1; }
    sleep 0.02
  done
  end=$(date +%s.%N)
  local rss cpu load
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$pid/stat")
  rss=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  load=$(cut -d' ' -f1 /proc/loadavg)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo "$(echo "$end - $start" | bc) $cpu $rss $load"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

ROWS=()
IFS=, read -r -a SPEC_LIST <<<"$SPECS"
for store in $STORES; do
  for spec in "${SPEC_LIST[@]}"; do
    read -r torrents pieces <<<"$spec"
    dir="$WORK/$store-$torrents"
    config=""
    if [ "$store" = sqlite ]; then
      cs="Data Source=$dir/swarm.db"
    else
      db="bench_${torrents}"
      psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -c "create database $db" >/dev/null
      cs="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$db"
      config="$WORK/$store-$torrents.conf"
      printf 'swarm.journal.provider = "PostgreSQL.15"\nswarm.journal.connection-string = "%s"\n' "$cs" >"$config"
    fi
    if [ -n "${BULK_RECOVERY:-}" ]; then
      config=${config:-$WORK/$store-$torrents.conf}
      echo "swarm.persistence.bulk-recovery = $BULK_RECOVERY" >>"$config"
    fi
    log "$store: populating $torrents torrent(s) x $pieces pieces"
    $POPULATE populate "$dir" "$torrents" "$pieces" 262144 "$cs" >/dev/null
    times=(); cpus=(); rsses=(); loads=()
    for _ in $(seq "$RUNS"); do
      read -r t c r l < <(recover "$dir" "$torrents" "$config")
      times+=("$t"); cpus+=("$c"); rsses+=("$r"); loads+=("$l")
    done
    t=$(printf '%s\n' "${times[@]}" | median); c=$(printf '%s\n' "${cpus[@]}" | median)
    r=$(printf '%s\n' "${rsses[@]}" | median); l=$(printf '%s\n' "${loads[@]}" | median)
    ROWS+=("| $store | $torrents | $pieces | $((torrents * pieces)) | $(printf '%.2f' "$t") | $c | $r | $l |")
  done
done

print_table() {
  echo
  echo "Recovery, from process start to every torrent resumed and seeding (median of $RUNS; $(nproc) cores, $(date +%F)):"
  echo
  echo "| journal | torrents | pieces each | verified pieces | recovery s | CPU s | peak RSS MiB | load |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
}

if [ "$DOWNLOAD" = 0 ]; then
  print_table
  exit 0
fi

log "journal throughput during a 1 GiB loopback download (SQLite)"
mkdir -p "$WORK/dl/src"
# openssl dies of SIGPIPE once head has its gigabyte: that is the expected end, not a failure.
{ openssl enc -aes-128-ctr -nosalt -pass pass:bench -pbkdf2 </dev/zero 2>/dev/null || true; } | head -c 1073741824 >"$WORK/dl/src/payload.bin"
$SWARM torrent create "$WORK/dl/src/payload.bin" -o "$WORK/dl/p.torrent" --piece-length 262144 >/dev/null
$SWARM seed "$WORK/dl/p.torrent" --data "$WORK/dl/src" --bind 127.0.0.1 --port 47901 --data-dir "$WORK/dl/seed" >"$WORK/dl/seed.out" 2>/dev/null &
PIDS+=("$!")
until grep -q seeding "$WORK/dl/seed.out" 2>/dev/null; do sleep 0.1; done
start=$(date +%s.%N)
$SWARM get "$WORK/dl/p.torrent" -o "$WORK/dl/out" --bind 127.0.0.1 --port 47902 --peer 127.0.0.1:47901 --data-dir "$WORK/dl/get" >/dev/null 2>&1
end=$(date +%s.%N)
read -r rows journaled < <(python3 - "$WORK/dl/get/swarm.db" <<'PY'
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select message from journal where manifest = 'pv1'").fetchall()
print(len(rows), sum(len(json.loads(r[0])["Pieces"]) for r in rows))
PY
)
secs=$(echo "$end - $start" | bc)

print_table
echo
echo "Journal during a 1 GiB loopback download (4,096 pieces, SQLite): $rows PiecesVerified rows for $journaled pieces in $(printf '%.2f' "$secs") s of \`swarm get\` = $(echo "$journaled / $secs" | bc) pieces/s journaled, $(echo "$rows / $secs" | bc) rows/s."

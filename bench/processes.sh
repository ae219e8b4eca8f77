# Sourced by the bench scripts that start nodes and daemons: PIDS to stop at exit, a cleanup that asks them to stop
# (SIGTERM), waits up to STOP_ROUNDS tenths of a second, then kills what is left and removes $WORK; log and
# free_port helpers. The sourcing script sets WORK before it starts anything.
PIDS=()
STOP_ROUNDS=${STOP_ROUNDS:-50}
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq "$STOP_ROUNDS"); do
    local alive=0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

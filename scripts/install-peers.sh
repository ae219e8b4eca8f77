#!/usr/bin/env bash
# Installs the real BitTorrent peers, PostgreSQL and the tools the end-to-end tests and benchmarks run against
# (Debian packages). The tests start their own PostgreSQL servers (initdb in a temp folder), so none is configured here.
set -euo pipefail
packages=(transmission-daemon transmission-cli aria2 python3-libtorrent opentracker mktorrent postgresql tmux time bc qbittorrent-nox rtorrent)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

#!/usr/bin/env bash
# Installs the real BitTorrent peers, PostgreSQL and the tools the end-to-end tests and benchmarks run against
# (Debian packages). The tests start their own PostgreSQL servers (initdb in a temp folder), so none is configured here.
set -euo pipefail
# chromium: the dashboard's browser tests (issue 18) drive Debian's chromium headless through Playwright.
# nginx: the web seed tests (issue 17) serve content with Range requests (python3's http.server ignores Range).
packages=(transmission-daemon transmission-cli aria2 python3-libtorrent opentracker mktorrent postgresql tmux time bc qbittorrent-nox rtorrent prometheus chromium nginx)
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

# Deploy tests (issue 19): systemd-analyze verifies deploy/systemd/swarm.service; deploy/container/build-image.py
# (python3) takes the container base's Debian packages with `apt-get download`, which needs the package lists.
deploy_missing=()
for p in systemd python3 util-linux; do
  dpkg -s "$p" >/dev/null 2>&1 || deploy_missing+=("$p")
done
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ ${#deploy_missing[@]} -gt 0 ] || ! apt-get download --print-uris libc6 >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  [ ${#deploy_missing[@]} -eq 0 ] || $sudo apt-get install -y -qq --no-install-recommends "${deploy_missing[@]}" >/dev/null
fi

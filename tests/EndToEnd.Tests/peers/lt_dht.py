#!/usr/bin/python3
"""A libtorrent 2.0 DHT node for loopback tests (issue 15): a bare router, a seeder or a magnet leecher that finds
its peers through the DHT only (no tracker, no --peer).

  lt_dht.py router          --bind IP --port PORT [--bootstrap HOST:PORT]...
  lt_dht.py seed TORRENT DIR --bind IP --port PORT --bootstrap HOST:PORT [...]
  lt_dht.py get  MAGNET  DIR --bind IP --port PORT --bootstrap HOST:PORT [...]

Prints `ready` once it listens (a seeder: once its data is verified), `complete` when a download has every piece (then exits 0). Diagnostics go to stderr. Runs until killed otherwise.
Must run under Debian's /usr/bin/python3 (python3-libtorrent 2.0.8).
"""

import argparse
import signal
import sys
import time

import libtorrent as lt


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def say(msg):
    print(msg, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["router", "seed", "get"])
    parser.add_argument("torrent", nargs="?")
    parser.add_argument("dir", nargs="?")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bootstrap", action="append", default=[])
    args = parser.parse_args()

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))

    ses = lt.session({
        "listen_interfaces": f"{args.bind}:{args.port}",
        "outgoing_interfaces": args.bind,
        "enable_dht": True,
        "dht_bootstrap_nodes": ",".join(args.bootstrap),
        # Every node of the test shares loopback: without these libtorrent keeps one node per IP and /24 and refuses
        # local addresses in lookups.
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_ignore_dark_internet": False,
        "dht_enforce_node_id": False,
        "dht_prefer_verified_node_ids": False,
        # Re-announce often, so a node that joined after the first announce learns of us within the test.
        "dht_announce_interval": 5,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.storage_notification
        | lt.alert.category_t.dht_notification,
    })

    handle = None
    if args.mode != "router":
        if args.torrent.startswith("magnet:"):
            atp = lt.parse_magnet_uri(args.torrent)
        else:
            atp = lt.add_torrent_params()
            atp.ti = lt.torrent_info(args.torrent)
        atp.save_path = args.dir
        atp.flags &= ~lt.torrent_flags.auto_managed
        atp.flags &= ~lt.torrent_flags.paused
        handle = ses.add_torrent(atp)

    listening = checked = ready = complete = False
    last_status = 0.0
    while not stop:
        for a in ses.pop_alerts():
            if isinstance(a, lt.listen_succeeded_alert):
                listening = True
            elif isinstance(a, lt.torrent_checked_alert):
                checked = True
            elif isinstance(a, lt.listen_failed_alert):
                log(f"listen failed: {a.message()}")
                return 1
            elif isinstance(a, (lt.file_error_alert, lt.torrent_error_alert)):
                log(f"error: {a.message()}")
                return 1
            elif a.category() & lt.alert.category_t.error_notification:
                log(f"alert: {a.message()}")

        st = handle.status() if handle else None
        if not ready and listening and (args.mode != "seed" or (checked and st.is_seeding)):
            ready = True
            say("ready")
        if args.mode == "get" and not complete and st.is_seeding:
            complete = True
            say("complete")
            break

        now = time.monotonic()
        if now - last_status >= 5.0:
            last_status = now
            if st:
                log(f"state={st.state} progress={st.progress * 100:.1f}% peers={st.num_peers}")
        ses.wait_for_alert(100)

    if handle:
        handle.pause()
        ses.remove_torrent(handle)
    del ses
    return 0


if __name__ == "__main__":
    sys.exit(main())

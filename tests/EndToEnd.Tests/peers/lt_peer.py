#!/usr/bin/python3
"""A libtorrent 2.0 peer for loopback tests and benchmarks.

  lt_peer.py seed TORRENT DATADIR PORT [--peer HOST:PORT]... [--bind IP]
  lt_peer.py get  TORRENT OUTDIR  PORT [--peer HOST:PORT]... [--bind IP] [--seed]
  --utp-only: uTP in and out, TCP off (libtorrent still accepts a TCP connection and closes it before the handshake)
  either mode: [--encryption enabled|forced|disabled]  (MSE/PE; forced = RC4 only, both ways)
  either mode: [--log-peers]  (peer and connection alerts to stderr: why a connection closed, e.g. a uTP timeout)

TORRENT may be a magnet link for `get`: the metadata then comes from the peers (BEP 9).

Prints `ready` on stdout once it listens (and, when seeding, once its data is
verified), `complete` when a download has every piece. `get` exits 0 after
`complete` unless --seed; `seed` runs until killed. Diagnostics go to stderr.
Must run under Debian's /usr/bin/python3 (python3-libtorrent).
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


def parse_peer(text):
    host, _, port = text.rpartition(":")
    return (host, int(port))


# Message stream encryption (issue 16): libtorrent's own default (enabled: both kinds, encrypted dial first),
# forced (RC4-encrypted connections only, in and out) or disabled (plain only).
ENCRYPTION = {
    "enabled": {},
    "forced": {
        "out_enc_policy": lt.enc_policy.forced,
        "in_enc_policy": lt.enc_policy.forced,
        "allowed_enc_level": lt.enc_level.rc4,
    },
    "disabled": {
        "out_enc_policy": lt.enc_policy.disabled,
        "in_enc_policy": lt.enc_policy.disabled,
    },
}


def make_session(bind, port, upload_limit=0, download_limit=0, utp_only=False, encryption="enabled"):
    settings = {
        # 0 = unlimited; tests that kill a leecher mid-download throttle the seeder so there is a "mid".
        "upload_rate_limit": upload_limit,
        # 0 = unlimited; the PEX test keeps a leecher from ever completing, so it stays connected to the seeder it
        # tells others about (libtorrent closes seed-to-seed connections).
        "download_rate_limit": download_limit,
        "listen_interfaces": f"{bind}:{port}",
        "outgoing_interfaces": bind,
        "enable_dht": False,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        # Otherwise it tries uTP first, and the other clients under test speak TCP only.
        "enable_outgoing_utp": False,
        "enable_incoming_utp": False,
        # On loopback every peer shares one IP; the default keeps a single connection per IP.
        "allow_multiple_connections_per_ip": True,
        "alert_mask": lt.alert.category_t.error_notification
        | lt.alert.category_t.status_notification
        | lt.alert.category_t.storage_notification,
    }
    if utp_only:
        # uTP (issue 16): a peer that speaks uTP only, both ways.
        settings.update({
            "enable_outgoing_utp": True,
            "enable_incoming_utp": True,
            "enable_outgoing_tcp": False,
            "enable_incoming_tcp": False,
        })
    settings.update(ENCRYPTION[encryption])
    return lt.session(settings)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["seed", "get"])
    parser.add_argument("torrent")
    parser.add_argument("dir")
    parser.add_argument("port", type=int)
    parser.add_argument("--peer", action="append", default=[])
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--seed", action="store_true", help="get: keep seeding after complete")
    parser.add_argument("--upload-limit", type=int, default=0, help="bytes per second (0 = unlimited)")
    parser.add_argument("--download-limit", type=int, default=0, help="bytes per second (0 = unlimited)")
    parser.add_argument("--utp-only", action="store_true", help="uTP in and out, TCP off")
    parser.add_argument("--encryption", choices=sorted(ENCRYPTION), default="enabled")
    parser.add_argument("--log-peers", action="store_true", help="log peer and connection alerts to stderr")
    args = parser.parse_args()

    stop = []

    def on_signal(number, _frame):
        log(f"received {signal.Signals(number).name}, stopping")
        stop.append(True)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    ses = make_session(args.bind, args.port, args.upload_limit, args.download_limit, args.utp_only, args.encryption)
    if args.log_peers:
        # Diagnostics for transport tests (uTP, issue 16): connects, disconnects and their reasons.
        mask = ses.get_settings()["alert_mask"]
        ses.apply_settings({"alert_mask": mask | lt.alert.category_t.peer_notification | lt.alert.category_t.connect_notification})
    if args.upload_limit or args.download_limit:
        # libtorrent exempts local-network peers (loopback included) from rate limits through the
        # "local" peer class; the limit must be set on that class too.
        local = ses.get_peer_class(lt.session.local_peer_class_id)
        if args.upload_limit:
            local["upload_limit"] = args.upload_limit
        if args.download_limit:
            local["download_limit"] = args.download_limit
        ses.set_peer_class(lt.session.local_peer_class_id, local)
    magnet = args.torrent.startswith("magnet:")
    if magnet and args.mode == "seed":
        log("seed needs a .torrent file")
        return 2
    if magnet:
        atp = lt.parse_magnet_uri(args.torrent)
    else:
        atp = lt.add_torrent_params()
        atp.ti = lt.torrent_info(args.torrent)
    atp.save_path = args.dir
    # Not auto-managed: the session's queue must never pause the torrent under test.
    atp.flags &= ~lt.torrent_flags.auto_managed
    atp.flags &= ~lt.torrent_flags.paused
    handle = ses.add_torrent(atp)
    peers = [parse_peer(p) for p in args.peer]

    listening = False
    checked = False
    announced_ready = False
    announced_complete = False
    last_dial = 0.0
    last_status = 0.0
    started = time.monotonic()

    while not stop:
        for a in ses.pop_alerts():
            if isinstance(a, lt.listen_succeeded_alert):
                listening = True
            elif isinstance(a, lt.torrent_checked_alert):
                checked = True
            elif isinstance(a, lt.metadata_received_alert):
                log("metadata received")
            elif isinstance(a, lt.listen_failed_alert):
                log(f"listen failed: {a.message()}")
                return 1
            elif isinstance(a, (lt.file_error_alert, lt.torrent_error_alert)):
                log(f"error: {a.message()}")
                return 1
            elif a.category() & lt.alert.category_t.error_notification:
                log(f"alert: {a.message()}")
            elif args.log_peers and a.category() & (
                lt.alert.category_t.peer_notification | lt.alert.category_t.connect_notification
            ):
                log(f"peer: {a.message()}")

        st = handle.status()
        # A magnet has nothing to check until its metadata arrives: it is ready once it listens.
        if listening and (checked or magnet) and not announced_ready:
            if args.mode == "get" or st.is_seeding:
                announced_ready = True
                say("ready")
            elif args.mode == "seed":
                log(f"data does not match the torrent: {st.num_pieces}/{atp.ti.num_pieces()} pieces verified")
                return 1

        if args.mode == "get" and not announced_complete and st.is_seeding:
            announced_complete = True
            say("complete")
            log(f"downloaded in {time.monotonic() - started:.2f} s")
            if not args.seed:
                break

        now = time.monotonic()
        # Re-dial: the other side may not have been listening yet. connect_peer on a
        # connected endpoint is a no-op.
        if peers and listening and now - last_dial >= 2.0 and not (args.mode == "get" and st.is_seeding):
            last_dial = now
            for p in peers:
                handle.connect_peer(p)

        if now - last_status >= 5.0:
            last_status = now
            rc4 = sum(1 for p in handle.get_peer_info() if p.flags & lt.peer_info.rc4_encrypted)
            log(
                f"state={st.state} progress={st.progress * 100:.1f}% peers={st.num_peers} rc4={rc4} "
                f"down={st.download_rate / 1e6:.1f}MB/s up={st.upload_rate / 1e6:.1f}MB/s"
            )

        ses.wait_for_alert(100)

    # Let libtorrent close files and flush its mapped pages before the caller reads them.
    handle.pause()
    ses.remove_torrent(handle)
    del ses
    return 0


if __name__ == "__main__":
    sys.exit(main())

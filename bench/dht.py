#!/usr/bin/python3
"""DHT lookup benchmark (issue 15), driven by bench/dht.sh: time from a bare magnet to the first peer on a loopback
DHT of a few dozen nodes (libtorrent and swarm mixed), swarm's leecher side by side with libtorrent's.

One process (this one) hosts the libtorrent side of the DHT: a router every node bootstraps from, LT_NODES plain
libtorrent DHT nodes and the libtorrent seeder, each a session on a loopback address of its own. SWARM_NODES
`swarm node` processes join the same DHT. For each seeder (libtorrent, then swarm; each its own random torrent, so
the second row cannot find the first seeder) and each leecher kind, RUNS fresh leecher processes are started with
only `magnet:?xt=urn:btih:HASH` and the router as bootstrap node, on an address and state folder of their own.

Measured from outside, the same way for both clients:
  start  - just before the leecher process is started;
  lookup - the first get_peers for the torrent's hash that reaches one of this process's DHT nodes from the
           leecher's address (seen through libtorrent's dht_pkt_alert): the leecher's lookup has begun. Its first
           queries can go to swarm nodes only, which this process cannot see: then this is a few ms late;
  peer   - the first established TCP connection between the leecher's address and the seeder's peer endpoint
           (from the kernel, sock_diag netlink), whichever side dialled.

`dht.py lt-get MAGNET DIR --bind IP --port PORT --bootstrap HOST:PORT` is the libtorrent leecher (its own process,
so that its start-up counts as swarm's does): libtorrent's defaults but those that allow loopback nodes, the magnet
added once its DHT has bootstrapped (see lt_get).
"""

import argparse
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

import libtorrent as lt

LT_SETTINGS = {
    "enable_dht": True,
    # Every node shares loopback: without these libtorrent keeps one node per IP and /24 and refuses local addresses.
    "dht_restrict_routing_ips": False,
    "dht_restrict_search_ips": False,
    "dht_ignore_dark_internet": False,
    "dht_enforce_node_id": False,
    "dht_prefer_verified_node_ids": False,
    "enable_lsd": False,
    "enable_upnp": False,
    "enable_natpmp": False,
    "enable_outgoing_utp": False,
    "enable_incoming_utp": False,
    "allow_multiple_connections_per_ip": True,
}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def session(ip, port, bootstrap, alerts=0):
    return lt.session(dict(LT_SETTINGS, listen_interfaces=f"{ip}:{port}", outgoing_interfaces=ip,
                           dht_bootstrap_nodes=bootstrap, alert_mask=alerts | lt.alert.category_t.error_notification))


# --- the libtorrent leecher (a process of its own) --------------------------------------------------------------

def lt_get(argv):
    p = argparse.ArgumentParser()
    p.add_argument("magnet")
    p.add_argument("dir")
    p.add_argument("--bind", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--bootstrap", required=True)
    a = p.parse_args(argv)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    ses = session(a.bind, a.port, a.bootstrap, lt.alert.category_t.dht_notification)
    # The magnet goes in once the DHT has bootstrapped, as in a running client: a torrent added before the DHT is up
    # waits for libtorrent's announce timer (dht_announce_interval / torrents, 15 min by default) for its first lookup.
    deadline = time.time() + 60
    while not stop and time.time() < deadline and not any(isinstance(al, lt.dht_bootstrap_alert) for al in ses.pop_alerts()):
        ses.wait_for_alert(100)
    atp = lt.parse_magnet_uri(a.magnet)
    atp.save_path = a.dir
    atp.flags &= ~lt.torrent_flags.auto_managed
    atp.flags &= ~lt.torrent_flags.paused
    ses.add_torrent(atp)
    print("started", flush=True)
    while not stop:
        for al in ses.pop_alerts():
            if al.category() & lt.alert.category_t.error_notification:
                print(f"alert: {al.message()}", file=sys.stderr, flush=True)
        ses.wait_for_alert(200)
    return 0


# --- the kernel's view of TCP connections -------------------------------------------------------------------------

def tcp_pairs():
    """(local ip, local port, remote ip, remote port) of every established IPv4 TCP socket (sock_diag netlink)."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 4)  # NETLINK_SOCK_DIAG
    req = struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, 1 << 1) + bytes(48)  # TCP_ESTABLISHED
    s.sendto(struct.pack("=IHHII", 16 + len(req), 20, 1 | 0x300, 1, 0) + req, (0, 0))  # SOCK_DIAG_BY_FAMILY, DUMP
    found = []
    try:
        while True:
            data, off = s.recv(1 << 16), 0
            while off < len(data):
                length, kind = struct.unpack_from("=IH", data, off)
                if kind in (2, 3):  # NLMSG_ERROR, NLMSG_DONE
                    return found
                sport, dport = struct.unpack_from(">HH", data, off + 20)
                src = socket.inet_ntoa(data[off + 24:off + 28])
                dst = socket.inet_ntoa(data[off + 40:off + 44])
                found.append((src, sport, dst, dport))
                off += (length + 3) & ~3
    finally:
        s.close()


# --- the benchmark ----------------------------------------------------------------------------------------------

GET_PEERS = re.compile(r"^<== \[([\d.]+):\d+\].*'info_hash': '([0-9a-f]{40})'.*'q': 'get_peers'")


class Bench:
    def __init__(self, env):
        self.env = env
        self.work = env["WORK"]
        self.swarm = ["dotnet", env["SWARM_DLL"]]
        self.base_port = int(env.get("BASE_PORT", "46800"))
        self.timeout = float(env.get("TIMEOUT", "90"))
        self.next_host = 1
        self.procs = []
        self.sessions = []  # this process's DHT nodes: the router first
        self.seen = {}  # (leecher ip, info-hash hex) -> time of the first get_peers seen
        # CHURN=1: each leecher is stopped once measured, so later ones meet its dead node in the tables (as on the
        # real DHT); CHURN=0: every leecher and the libtorrent seeder live on (seeding) until the end: no dead nodes.
        self.churn = env.get("CHURN", "1") != "0"

    def endpoint(self):
        """A loopback address of its own (127.77.0.0/16: clear of the tests' 127.0.0.x) and a port beside it."""
        n = self.next_host
        self.next_host += 1
        return f"127.77.{n // 250}.{1 + n % 250}", self.base_port + n

    def pump(self):
        for ses in self.sessions:
            for al in ses.pop_alerts():
                if isinstance(al, lt.dht_pkt_alert):
                    m = GET_PEERS.match(al.message())
                    if m:
                        self.seen.setdefault((m.group(1), m.group(2)), time.time())

    def wait(self, what, cond, seconds, proc=None):
        deadline = time.time() + seconds
        while not cond():
            if proc is not None and proc.poll() is not None:
                sys.exit(f"bench: {what}: process exited ({proc.returncode}); see {self.work}")
            if time.time() > deadline:
                sys.exit(f"bench: {what}: not within {seconds:.0f}s")
            self.pump()
            time.sleep(0.005)

    def start(self, name, argv):
        out = open(os.path.join(self.work, name + ".out"), "w")
        err = open(os.path.join(self.work, name + ".err"), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.sessions.clear()

    def make_torrent(self, name, size):
        folder = os.path.join(self.work, "data-" + name)
        os.makedirs(folder)
        with open(os.path.join(folder, name + ".bin"), "wb") as f:
            f.write(os.urandom(size))
        fs = lt.file_storage()
        lt.add_files(fs, os.path.join(folder, name + ".bin"))
        # v1 only: a hybrid torrent's info_hash() is the v2 hash cut to 20 bytes, which a btih magnet doesn't name.
        ct = lt.create_torrent(fs, 65536, flags=lt.create_torrent.v1_only)
        lt.set_piece_hashes(ct, folder)
        path = os.path.join(self.work, name + ".torrent")
        with open(path, "wb") as f:
            f.write(lt.bencode(ct.generate()))
        info = lt.torrent_info(path)
        return path, folder, str(info.info_hashes().v1)

    def run(self):
        lt_nodes = int(self.env.get("LT_NODES", "24"))
        swarm_nodes = int(self.env.get("SWARM_NODES", "3"))
        runs = int(self.env.get("RUNS", "3"))
        size = int(self.env.get("SIZE_KIB", "1024")) * 1024
        settle = float(self.env.get("SETTLE", "15"))
        config = os.path.join(self.work, "bench.conf")
        with open(config, "w") as f:
            # Peers through the DHT only: LSD would find them by multicast instead.
            f.write("swarm.lsd.enabled = off\n")

        rip, rport = self.endpoint()
        router = f"{rip}:{rport}"
        log(f"router {router}, {lt_nodes} libtorrent DHT node(s), {swarm_nodes} swarm node(s)")
        dht_log = lt.alert.category_t.dht_log_notification
        # The router also asks get_peers itself, to know when a seeder can be found (wait_findable).
        self.sessions.append(session(rip, rport, "", dht_log | lt.alert.category_t.dht_operation_notification))
        for _ in range(lt_nodes):
            ip, port = self.endpoint()
            self.sessions.append(session(ip, port, router, dht_log))
        for i in range(swarm_nodes):
            ip, port = self.endpoint()
            p = self.start(f"swarm-node-{i}", self.swarm + [
                "node", "--data-dir", os.path.join(self.work, f"state-node-{i}"), "--bind", ip, "--port", str(port),
                "--dht-bootstrap", router, "--console-port", "0", "--cluster-port", "0", "--rpc-port", "0",
                "--config", config])
            self.wait(f"swarm node {i} starting its DHT", lambda i=i: "DHT node" in open(
                os.path.join(self.work, f"swarm-node-{i}.err")).read(), 120, p)
        log(f"letting the DHT settle for {settle:.0f}s")
        self.wait("settle", lambda t=time.time() + settle: time.time() > t, settle + 5)
        nodes = 1 + lt_nodes + swarm_nodes + 1  # the router, the nodes, the seeder (the leecher is the one more)

        rows = []
        for seeder in ("libtorrent", "swarm"):
            torrent, data, info_hash = self.make_torrent(f"payload-{seeder}", size)
            sip, sport = self.endpoint()
            seed_proc, seed_ses = None, None
            if seeder == "libtorrent":
                seed_ses = session(sip, sport, router, dht_log)
                atp = lt.add_torrent_params()
                atp.ti = lt.torrent_info(torrent)
                atp.save_path = data
                atp.flags &= ~lt.torrent_flags.auto_managed
                atp.flags &= ~lt.torrent_flags.paused
                seed_ses.add_torrent(atp)
                self.sessions.append(seed_ses)
            else:
                seed_proc = self.start("swarm-seed", self.swarm + [
                    "seed", torrent, "--data", data, "--bind", sip, "--port", str(sport),
                    "--data-dir", os.path.join(self.work, "state-seed"), "--dht-bootstrap", router, "--config", config])
            log(f"{seeder} seeder {sip}:{sport}, torrent {info_hash}: waiting until the DHT gives it out")
            self.wait_findable(info_hash, (sip, sport), seed_proc)
            for run in range(runs):
                for leecher in ("swarm", "libtorrent"):
                    start, lookup, peer = self.leech(leecher, info_hash, (sip, sport), router, config, f"{seeder}-{run}")
                    log(f"  {leecher} leecher, run {run + 1}: start->peer {fmt(peer, start)} s, "
                        f"lookup->peer {fmt(peer, lookup)} s")
                    rows.append((leecher, seeder, start, lookup, peer))
            if seed_proc:
                self.stop(seed_proc)
            elif self.churn:
                self.sessions.remove(seed_ses)
                del seed_ses
        return rows, nodes + 1, runs

    def wait_findable(self, info_hash, seed, proc):
        """Until a get_peers from the router lists the seeder: then a leecher can find it."""
        router = self.sessions[0]
        target = lt.sha1_hash(bytes.fromhex(info_hash))
        deadline, found, asked = time.time() + 180, False, 0.0
        while not found:
            if proc is not None and proc.poll() is not None:
                sys.exit(f"bench: the seeder exited ({proc.returncode}); see {self.work}")
            if time.time() > deadline:
                sys.exit("bench: the seeder was not announced on the DHT within 180s")
            if time.time() - asked > 3:
                router.dht_get_peers(target)
                asked = time.time()
            for al in router.pop_alerts():
                if isinstance(al, lt.dht_get_peers_reply_alert) and str(al.info_hash) == info_hash:
                    found = any(ep == seed for ep in al.peers())
            for ses in self.sessions[1:]:
                ses.pop_alerts()
            time.sleep(0.05)

    def leech(self, kind, info_hash, seed, router, config, tag):
        ip, port = self.endpoint()
        magnet = f"magnet:?xt=urn:btih:{info_hash}"
        out = os.path.join(self.work, f"out-{kind}-{tag}")
        if kind == "swarm":
            argv = self.swarm + ["get", magnet, "-o", out, "--bind", ip, "--port", str(port), "--data-dir",
                                 os.path.join(self.work, f"state-get-{tag}"), "--dht-bootstrap", router,
                                 "--config", config] + ([] if self.churn else ["--seed"])  # `get` exits when done
        else:
            argv = [sys.executable, os.path.abspath(__file__), "lt-get", magnet, out, "--bind", ip, "--port",
                    str(port), "--bootstrap", router]
        self.pump()
        start = time.time()
        p = self.start(f"get-{kind}-{tag}", argv)
        peer = None
        deadline = start + self.timeout
        sip, sport = seed
        while peer is None and time.time() < deadline and p.poll() is None:
            self.pump()
            for a, ap, b, bp in tcp_pairs():
                if (a == ip and (b, bp) == seed) or ((a, ap) == seed and b == ip):
                    peer = time.time()
                    break
            time.sleep(0.005)
        self.pump()
        if self.churn:
            self.stop(p)
            self.procs.remove(p)
        return start, self.seen.get((ip, info_hash)), peer


def fmt(t, since):
    return "-" if t is None or since is None else f"{t - since:.2f}"


def median(values):
    values = [v for v in values if v is not None]
    return f"{statistics.median(values):.2f}" if values else "-"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "lt-get":
        return lt_get(sys.argv[2:])
    bench = Bench(os.environ)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        rows, nodes, runs = bench.run()
    finally:
        bench.stop_all()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    load = open("/proc/loadavg").read().split()[0]
    print(f"# DHT lookup: bare magnet -> first peer, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"# {socket.gethostname()}: {os.cpu_count()} x {cpu}, load {load}; libtorrent {lt.__version__}")
    print(f"# loopback DHT of {nodes} nodes (router + {bench.env.get('LT_NODES', '24')} libtorrent + "
          f"{bench.env.get('SWARM_NODES', '3')} swarm + seeder + leecher); "
          f"payload {bench.env.get('SIZE_KIB', '1024')} KiB; medians of {runs} runs ('-': no peer within "
          f"{bench.timeout:.0f}s or lookup not seen)")
    print("# leechers " + ("stopped once measured: later ones meet their dead nodes (CHURN=1)" if bench.churn
                           else "left running (seeding) until the end: every node answers (CHURN=0)"))
    print()
    print(f"{'leecher':<12} {'seeder':<12} {'start->peer s':>14} {'lookup->peer s':>15} {'start->lookup s':>16} "
          f"{'found':>6} {'DHT nodes':>10}")
    for leecher in ("swarm", "libtorrent"):
        for seeder in ("libtorrent", "swarm"):
            sel = [r for r in rows if r[0] == leecher and r[1] == seeder]
            total = [None if r[4] is None else r[4] - r[2] for r in sel]
            lookup = [None if r[4] is None or r[3] is None else r[4] - r[3] for r in sel]
            before = [None if r[3] is None else r[3] - r[2] for r in sel]
            found = sum(1 for r in sel if r[4] is not None)
            print(f"{leecher:<12} {seeder:<12} {median(total):>14} {median(lookup):>15} {median(before):>16} "
                  f"{f'{found}/{len(sel)}':>6} {nodes:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

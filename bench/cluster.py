#!/usr/bin/env python3
"""Cluster benchmark (issue: cluster). Run on demand through bench/cluster.sh, not in CI.

NODES `swarm node` processes on loopback form one cluster; TORRENTS torrents of SIZE_MIB each are added on the
first node with the default replication factor R = 2. Reports:
  - gossip convergence: from `add` returning on node 1 to the torrent being listed on every member;
  - initial replication: until every torrent has R complete copies;
  - repair: kill -9 of the member holding the most copies, until every torrent is back at R on the survivors,
    with the bytes the survivors downloaded meanwhile;
  - peak memory (VmHWM) of every node.
"""
import json, os, random, shutil, signal, subprocess, sys, tempfile, threading, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWARM = ["dotnet", os.path.join(REPO, "src/Node/bin/Release/net10.0/swarm.dll")]
NODES = int(os.environ.get("NODES", 5))
TORRENTS = int(os.environ.get("TORRENTS", 10))
SIZE_MIB = int(os.environ.get("SIZE_MIB", 64))


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def console(node, *args):
    out = subprocess.run(SWARM + ["console", "--node", node["console"], *args, "--json"], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"console {args} on {node['name']}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def start(work, name, seed=None):
    data = os.path.join(work, name)
    os.makedirs(data, exist_ok=True)
    cmd = SWARM + ["node", "--data-dir", data, "--bind", "127.0.0.1", "--port", "0", "--console-port", "0", "--cluster-port", "0", "--rpc-port", "0"]
    if seed:
        cmd += ["--seed-node", seed]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=open(os.path.join(work, name + ".err"), "w"), text=True)
    node = {"name": name, "proc": proc, "data": data}
    while "peers" not in node:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{name} exited")
        key, _, value = line.strip().partition(" ")
        node[key] = value
    return node


def rss_mib(node):
    with open(f"/proc/{node['proc'].pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) // 1024
    return 0


def cluster_torrents(node):
    return {t["infoHash"]: t for t in console(node, "torrents", "--cluster")["torrents"]}


def wait(what, predicate, timeout=600):
    start = time.time()
    while time.time() - start < timeout:
        try:
            if predicate():
                return time.time() - start
        except RuntimeError:
            pass
        time.sleep(0.25)
    raise TimeoutError(what)


def main():
    work = tempfile.mkdtemp(prefix="swarm-cluster-bench.")
    nodes = []
    try:
        log(f"creating {TORRENTS} payloads of {SIZE_MIB} MiB")
        content = os.path.join(work, "content")
        os.makedirs(content)
        rnd = random.Random(7)
        torrents = []
        for i in range(TORRENTS):
            path = os.path.join(content, f"payload-{i:02d}.bin")
            with open(path, "wb") as f:
                for _ in range(SIZE_MIB):
                    f.write(rnd.randbytes(1 << 20))
            torrent = path + ".torrent"
            out = subprocess.run(SWARM + ["torrent", "create", path, "-o", torrent], capture_output=True, text=True, check=True)
            torrents.append((torrent, out.stdout.strip().split()[-1]))

        log(f"starting {NODES} nodes")
        nodes.append(start(work, "n1"))
        for i in range(2, NODES + 1):
            nodes.append(start(work, f"n{i}", nodes[0]["cluster"]))
        wait("all members up", lambda: sum(m["status"] == "up" for m in console(nodes[0], "cluster")["members"]) == NODES)

        first, first_hash = torrents[0]
        console(nodes[0], "add", first, "-o", content)
        added = time.time()
        # Every member polled in parallel: each probe is a `swarm console` process (~0.5 s), the resolution.
        seen = {}

        def watch(n):
            while n["name"] not in seen:
                try:
                    if first_hash in cluster_torrents(n):
                        seen[n["name"]] = time.time() - added
                except RuntimeError:
                    pass

        threads = [threading.Thread(target=watch, args=(n,)) for n in nodes]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        converge = max(seen.values())

        t0 = time.time()
        for torrent, _ in torrents[1:]:
            console(nodes[0], "add", torrent, "-o", content)
        hashes = [h for _, h in torrents]
        wait("initial replication", lambda: all(cluster_torrents(nodes[0]).get(h, {}).get("complete", 0) >= 2 for h in hashes))
        initial = time.time() - t0

        state = cluster_torrents(nodes[0])
        holders = {}
        for h in hashes:
            for m in state[h]["members"]:
                holders[m] = holders.get(m, 0) + 1
        victim = max((n for n in nodes[1:]), key=lambda n: holders.get(f"akka.tcp://swarm@{n['cluster']}", 0))
        survivors = [n for n in nodes if n is not victim]
        before = {n["name"]: sum(t["downloaded"] for t in console(n, "torrents")["torrents"]) for n in survivors}
        lost = holders.get(f"akka.tcp://swarm@{victim['cluster']}", 0)
        log(f"kill -9 {victim['name']} holding {lost} copies")
        victim["proc"].send_signal(signal.SIGKILL)
        victim["proc"].wait()
        t1 = time.time()
        dead = f"akka.tcp://swarm@{victim['cluster']}"
        wait("repair", lambda: all(
            (t := cluster_torrents(nodes[0]).get(h)) is not None and t["complete"] >= 2 and dead not in t["members"] for h in hashes))
        repair = time.time() - t1
        after = {n["name"]: sum(t["downloaded"] for t in console(n, "torrents")["torrents"]) for n in survivors}
        moved = sum(after[k] - before[k] for k in after)

        print(f"| figure ({NODES} nodes, {TORRENTS} × {SIZE_MIB} MiB, R = 2) | value |")
        print("|---|---|")
        print(f"| gossip convergence after `add` (the last member lists it; ±0.5 s probe) | {converge:.2f} s |")
        print(f"| initial replication of {TORRENTS} torrents to R = 2 | {initial:.1f} s |")
        print(f"| kill -9 of a member holding {lost} copies → every torrent back at R | {repair:.1f} s |")
        print(f"| bytes downloaded by the survivors during the repair | {moved / (1 << 20):.0f} MiB ({lost} × {SIZE_MIB} MiB lost) |")
        rss = ", ".join("%s %d" % (n["name"], rss_mib(n)) for n in survivors)
        print(f"| peak RSS per node (MiB) | {rss} |")
    finally:
        for n in nodes:
            if n["proc"].poll() is None:
                n["proc"].send_signal(signal.SIGTERM)
        for n in nodes:
            try:
                n["proc"].wait(timeout=15)
            except subprocess.TimeoutExpired:
                n["proc"].kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

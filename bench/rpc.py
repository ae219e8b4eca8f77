#!/usr/bin/env python3
"""Transmission RPC benchmark (issue 18). Run on demand through bench/rpc.sh, not in CI.

Loads TORRENTS (default 1,000) small seeding torrents through torrent-add into a `swarm node` and a transmission-daemon
side by side, then times REQUESTS (default 100) torrent-get calls of every torrent with the fields transmission-remote's
listing reads, and as many with Sonarr's fuller set, against each: median and p99 milliseconds, and the answer's size.
"""
import base64, hashlib, json, os, statistics, sys, time, urllib.request

TORRENTS = int(os.environ.get("TORRENTS", 1000))
REQUESTS = int(os.environ.get("REQUESTS", 100))
LIST_FIELDS = ["id", "name", "status", "error", "errorString", "eta", "isFinished", "leftUntilDone", "peersGettingFromUs",
               "peersSendingToUs", "rateDownload", "rateUpload", "sizeWhenDone", "uploadRatio"]
SONARR_FIELDS = LIST_FIELDS + ["hashString", "totalSize", "percentDone", "downloadDir", "secondsDownloading",
                               "secondsSeeding", "isPrivate", "addedDate", "doneDate", "labels", "uploadedEver", "downloadedEver"]


def bencode(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, dict):
        return b"d" + b"".join(bencode(k) + bencode(v[k]) for k in sorted(v)) + b"e"
    raise TypeError(v)


class Rpc:
    def __init__(self, endpoint):
        self.url = f"http://{endpoint}/transmission/rpc"
        self.session = ""

    def call(self, method, arguments):
        body = json.dumps({"method": method, "arguments": arguments}).encode()
        for _ in range(2):
            req = urllib.request.Request(self.url, body, {"X-Transmission-Session-Id": self.session, "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    raw = r.read()
                    answer = json.loads(raw)
                    if answer["result"] != "success":
                        raise RuntimeError(f"{method}: {answer['result']}")
                    return answer, len(raw)
            except urllib.error.HTTPError as e:
                if e.code != 409:
                    raise
                self.session = e.headers["X-Transmission-Session-Id"]
        raise RuntimeError("409 twice")


def main(swarm, transmission, work):
    data = os.path.join(work, "data")
    os.makedirs(data, exist_ok=True)
    metainfos = []
    for i in range(TORRENTS):
        name = f"bench-{i:05d}.bin"
        content = hashlib.sha256(b"%d" % i).digest() * 512  # 16 KiB, one piece
        with open(os.path.join(data, name), "wb") as f:
            f.write(content)
        info = {"name": name, "length": len(content), "piece length": 16384, "pieces": hashlib.sha1(content).digest()}
        metainfos.append(base64.b64encode(bencode({"announce": "http://127.0.0.1:1/announce", "info": info})).decode())

    rows = []
    for label, endpoint in (("swarm node", swarm), ("transmission-daemon", transmission)):
        rpc = Rpc(endpoint)
        start = time.monotonic()
        for m in metainfos:
            rpc.call("torrent-add", {"metainfo": m, "download-dir": data})
        print(f"[{label}] {TORRENTS} torrent-add in {time.monotonic() - start:.1f} s", file=sys.stderr, flush=True)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            listed, _ = rpc.call("torrent-get", {"fields": ["id", "status"]})
            if sum(1 for t in listed["arguments"]["torrents"] if t["status"] == 6) == TORRENTS:
                break
            time.sleep(1)
        else:
            raise RuntimeError(f"{label}: not every torrent is seeding after 600 s")
        for fields_label, fields in (("transmission-remote -l fields", LIST_FIELDS), ("Sonarr's fields", SONARR_FIELDS)):
            times, size = [], 0
            for _ in range(REQUESTS):
                t0 = time.monotonic()
                answer, size = rpc.call("torrent-get", {"fields": fields})
                times.append((time.monotonic() - t0) * 1000)
                assert len(answer["arguments"]["torrents"]) == TORRENTS
            times.sort()
            rows.append((label, fields_label, statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], size))

    print(f"\n| torrent-get of {TORRENTS} torrents ({REQUESTS} requests) | fields | median | p99 | answer |")
    print("|---|---|---|---|---|")
    for label, fields_label, median, p99, size in rows:
        print(f"| {label} | {fields_label} | {median:.1f} ms | {p99:.1f} ms | {size / 1024:.0f} KiB |")


if __name__ == "__main__":
    main(*sys.argv[1:4])

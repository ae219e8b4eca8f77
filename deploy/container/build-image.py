#!/usr/bin/env python3
"""Builds the swarm container image as a tarball with the .NET SDK (`dotnet publish /t:PublishContainer`), on a base
image assembled from Debian packages, with no container daemon and no registry on the internet.

The SDK takes its base image from a registry only. This script assembles the base (the runtime dependencies of a
self-contained .NET app: libc, libstdc++, OpenSSL, zlib, CA certificates, time zones; the "swarm" user; the state,
downloads and watch-folder volumes, owned by that user) and serves it from a registry of its own on 127.0.0.1 for the
one publish, then stops it. With a reachable registry, `--base-image` names any other base (the SDK's default is
mcr.microsoft.com/dotnet/runtime-deps; note that Microsoft's images declare no volumes).

    deploy/container/build-image.py -o swarm-image.tar
    docker load -i swarm-image.tar      # or: podman load -i swarm-image.tar

The tarball is an OCI image layout (index.json, blobs/), as the SDK writes it.
"""

import argparse
import gzip
import hashlib
import http.server
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "src" / "Node" / "Swarm.Node.csproj"

# What Microsoft's runtime-deps image holds for Debian 12, less ICU (the app runs with InvariantGlobalization).
PACKAGES = ["libc6", "libgcc-s1", "libstdc++6", "libssl3", "zlib1g", "ca-certificates", "tzdata"]

# The node's user: 1654 as in Microsoft's images, so ContainerUser (Swarm.Node.csproj) means the same on both bases.
UID = GID = 1654
STATE = "var/lib/swarm"
# The entrypoint's --data-dir, and inside it the folders the node uses by default (swarm.console.default-save-path
# empty = <data-dir>/downloads): one volume holds everything, or downloads go to a disk of their own.
VOLUMES = [STATE, STATE + "/downloads", STATE + "/watch"]
BASE_REPOSITORY = "swarm-base"
BASE_TAG = "bookworm"

# Debian architecture -> (OCI architecture, .NET runtime identifier).
ARCHES = {"amd64": ("amd64", "linux-x64"), "arm64": ("arm64", "linux-arm64")}

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def fail(message):
    print(f"build-image: {message}", file=sys.stderr)
    sys.exit(1)


def run(command, **kwargs):
    result = subprocess.run(command, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(map(str, command))} failed with exit code {result.returncode}")
    return result


def download_debs(cache):
    """The packages' .deb files at the versions apt would install now, fetched with apt-get into the cache (kept
    across runs, so a rebuild downloads only what changed)."""
    cache.mkdir(parents=True, exist_ok=True)
    apt = ["apt-get", "download", "-q"]
    if os.geteuid() == 0:
        # apt's download user cannot write into root's cache folder.
        apt += ["-o", "APT::Sandbox::User=root"]
    uris = subprocess.run(apt + ["--print-uris", *PACKAGES], capture_output=True, text=True)
    if uris.returncode != 0:
        fail(f"apt-get cannot find the base's packages (run apt-get update first?): {uris.stderr.strip()}")
    # Each line: 'URI' PACKAGE_VERSION_ARCH.deb SIZE HASH.
    files = sorted(line.split()[1] for line in uris.stdout.splitlines() if line.startswith("'"))
    if sorted(f.split("_")[0] for f in files) != sorted(PACKAGES):
        fail(f"apt-get --print-uris named {files} for {PACKAGES}")
    missing = [f.split("_")[0] for f in files if not (cache / f).exists()]
    if missing:
        run(apt + missing, cwd=cache, stdout=subprocess.DEVNULL)
    return [cache / f for f in files]


def add_dir(tar, name, mode=0o755, uid=0, gid=0):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode, info.uid, info.gid = mode, uid, gid
    tar.addfile(info)


def add_file(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), mode
    tar.addfile(info, io.BytesIO(data))


def base_layer(debs, work):
    """One layer: the packages' files (owned by root, whoever runs this), the user, the volumes' folders."""
    rootfs = work / "rootfs"
    rootfs.mkdir()
    for deb in debs:
        run(["dpkg-deb", "-x", str(deb), str(rootfs)])

    # ca-certificates makes its bundle in its postinst, which is not run here: the same concatenation.
    mozilla = sorted((rootfs / "usr/share/ca-certificates/mozilla").glob("*.crt"))
    if not mozilla:
        fail("ca-certificates holds no certificates")
    bundle = b"".join(p.read_bytes() for p in mozilla)

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(rootfs.rglob("*")):
            name = str(path.relative_to(rootfs))
            info = tar.gettarinfo(str(path), arcname=name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            if info.isreg():
                with open(path, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
        for d in ["etc", "etc/ssl", "etc/ssl/certs", "var", "var/lib"]:
            if not (rootfs / d).exists():
                add_dir(tar, d)
        add_dir(tar, "tmp", mode=0o1777)
        # Mount points the container runtime fills (it makes them when missing, but not every runtime does).
        for d in ["proc", "sys", "dev"]:
            add_dir(tar, d)
        for v in VOLUMES:
            # A named volume starts as a copy of the image's folder, owner included: the user can write to it.
            add_dir(tar, v, mode=0o750, uid=UID, gid=GID)
        add_file(tar, "etc/ssl/certs/ca-certificates.crt", bundle)
        add_file(tar, "etc/passwd", f"root:x:0:0:root:/root:/usr/sbin/nologin\nswarm:x:{UID}:{GID}:swarm:/{STATE}:/usr/sbin/nologin\n".encode())
        add_file(tar, "etc/group", f"root:x:0:\nswarm:x:{GID}:\n".encode())
    tar_bytes = raw.getvalue()
    return tar_bytes, gzip.compress(tar_bytes, mtime=0)


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def base_image(debs, work, architecture):
    """The base as registry blobs: {digest: bytes}, and its manifest."""
    tar_bytes, layer = base_layer(debs, work)
    config = {
        "architecture": architecture,
        "os": "linux",
        "config": {
            "User": str(UID),
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                f"HOME=/{STATE}",
                # .NET reads the trust store through OpenSSL; the bundle made above.
                "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
            ],
            "Volumes": {"/" + v: {} for v in VOLUMES},
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": [digest(tar_bytes)]},
        "history": [{"created_by": "deploy/container/build-image.py: Debian packages " + " ".join(d.name for d in debs)}],
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": digest(config_bytes), "size": len(config_bytes)},
        "layers": [{"mediaType": OCI_LAYER, "digest": digest(layer), "size": len(layer)}],
    }
    return {digest(config_bytes): config_bytes, digest(layer): layer}, json.dumps(manifest, sort_keys=True).encode()


def registry(blobs, manifest):
    """A read-only registry (OCI distribution API: the calls a pull makes) serving the base on 127.0.0.1."""
    manifest_digest = digest(manifest)
    prefix = f"/v2/{BASE_REPOSITORY}/"

    class Handler(http.server.BaseHTTPRequestHandler):
        def find(self):
            path = self.path.split("?", 1)[0]
            if path in ("/v2", "/v2/"):
                return b"{}", "application/json", None
            if path in (prefix + "manifests/" + BASE_TAG, prefix + "manifests/" + manifest_digest):
                return manifest, OCI_MANIFEST, manifest_digest
            if path.startswith(prefix + "blobs/") and path[len(prefix + "blobs/"):] in blobs:
                d = path[len(prefix + "blobs/"):]
                return blobs[d], "application/octet-stream", d
            return None

        def answer(self, body):
            found = self.find()
            if found is None:
                error = json.dumps({"errors": [{"code": "NAME_UNKNOWN", "message": self.path}]}).encode()
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(error)))
                self.end_headers()
                if body:
                    self.wfile.write(error)
                return
            data, media_type, d = found
            self.send_response(200)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            if d:
                self.send_header("Docker-Content-Digest", d)
            self.end_headers()
            if body:
                self.wfile.write(data)

        def do_GET(self):
            self.answer(body=True)

        def do_HEAD(self):
            self.answer(body=False)

        def log_message(self, format, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, help="the image tarball to write (docker/podman load -i)")
    parser.add_argument("--tag", default="latest", help="the image's tag (default latest)")
    parser.add_argument("--base-image", help="a base image in a reachable registry instead of the Debian base")
    parser.add_argument("--cache", default=os.environ.get("XDG_CACHE_HOME", str(Path.home() / ".cache")) + "/swarm-image",
                        help="where the Debian packages are kept between runs")
    parser.add_argument("--work", help="folder for the build (default: a temporary one, removed afterwards)")
    args = parser.parse_args()

    debian_arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    if debian_arch not in ARCHES:
        fail(f"no .NET runtime identifier known for Debian architecture {debian_arch}")
    architecture, rid = ARCHES[debian_arch]
    output = Path(args.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="swarm-image-") as temp:
        work = Path(args.work).resolve() if args.work else Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        server = None
        env = dict(os.environ)
        if args.base_image:
            base = args.base_image
        else:
            blobs, manifest = base_image(download_debs(Path(args.cache) / debian_arch), work, architecture)
            server = registry(blobs, manifest)
            host = f"localhost:{server.server_address[1]}"
            base = f"{host}/{BASE_REPOSITORY}:{BASE_TAG}"
            # Plain HTTP to our own registry on loopback.
            env["DOTNET_CONTAINER_INSECURE_REGISTRIES"] = host
        try:
            # Self-contained: the Debian base has no .NET runtime. --artifacts-path keeps this build apart from the
            # solution's own bin/ and obj/ folders.
            run(["dotnet", "publish", str(PROJECT), "-c", "Release", "-r", rid, "--self-contained", "true",
                 "--artifacts-path", str(work / "artifacts"), "-nologo", "-v", "q",
                 # No MSBuild or compiler server left running after the script.
                 "--disable-build-servers",
                 "/t:PublishContainer",
                 f"-p:ContainerBaseImage={base}",
                 f"-p:ContainerImageTag={args.tag}",
                 f"-p:ContainerArchiveOutputPath={output}"], env=env)
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
    if not output.exists():
        fail(f"the SDK reported success but wrote no {output}")
    print(output)


if __name__ == "__main__":
    main()

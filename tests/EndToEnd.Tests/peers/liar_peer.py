#!/usr/bin/python3
"""A seeder that lies: it claims every piece and answers every request with random bytes.

  liar_peer.py TORRENT_INFOHASH_HEX PIECE_COUNT PORT

Prints `ready` once listening and `connection N` for each peer that connects. Runs until killed.
Plain sockets, BEP 3 + BEP 6 (HaveAll when the other side supports the fast extension).
"""

import os
import socket
import struct
import sys
import threading


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def serve(conn, info_hash, piece_count, counter):
    try:
        hs = read_exact(conn, 68)
        # A plain-text peer: an encrypted (MSE) dial is hung up on, as a client without encryption does, and is
        # not counted; the dialler then comes back in plain text.
        if hs[0] != 19 or hs[1:20] != b"BitTorrent protocol" or hs[28:48] != info_hash:
            return
        with counter["lock"]:
            counter["n"] += 1
            print(f"connection {counter['n']}", flush=True)
        fast = bool(hs[27] & 0x04)
        reserved = b"\x00" * 7 + b"\x04"
        conn.sendall(bytes([19]) + b"BitTorrent protocol" + reserved + info_hash + b"-LI0001-" + os.urandom(12))
        if fast:
            conn.sendall(struct.pack(">IB", 1, 14))  # have all
        else:
            bits = bytearray(b"\xff" * ((piece_count + 7) // 8))
            spare = len(bits) * 8 - piece_count
            if spare:
                bits[-1] &= (0xFF << spare) & 0xFF
            conn.sendall(struct.pack(">IB", 1 + len(bits), 5) + bytes(bits))
        conn.sendall(struct.pack(">IB", 1, 1))  # unchoke
        while True:
            (length,) = struct.unpack(">I", read_exact(conn, 4))
            if length == 0:
                continue
            body = read_exact(conn, length)
            if body[0] == 6 and length == 13:  # request
                index, begin, size = struct.unpack(">III", body[1:])
                conn.sendall(struct.pack(">IBII", 9 + size, 7, index, begin) + os.urandom(size))
    except (ConnectionError, OSError):
        pass
    finally:
        conn.close()


def main():
    info_hash = bytes.fromhex(sys.argv[1])
    piece_count = int(sys.argv[2])
    port = int(sys.argv[3])
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(8)
    print("ready", flush=True)
    counter = {"n": 0, "lock": threading.Lock()}
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn, info_hash, piece_count, counter), daemon=True).start()


if __name__ == "__main__":
    main()

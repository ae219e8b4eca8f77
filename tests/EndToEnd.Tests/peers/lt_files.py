#!/usr/bin/python3
"""libtorrent 2.0's view of a .torrent file's files: the oracle for the paths swarm must give.

  lt_files.py TORRENT

Prints one JSON line and exits 0:
  {"ok": true, "name": NAME, "files": [{"path", "size", "pad", "symlink"}, ...]}
where path is torrent_info.files().file_path(i) (the torrent's folder included for a multi-file torrent) and
symlink, for a symbolic link, is the text libtorrent's storage writes into the link (relative to the link's
folder; "." where libtorrent would write an empty one), else null;
or, when libtorrent refuses the torrent:
  {"ok": false, "error": MESSAGE}
Must run under Debian's /usr/bin/python3 (python3-libtorrent).
"""

import json
import os
import sys

import libtorrent as lt


def main():
    try:
        ti = lt.torrent_info(sys.argv[1])
    except RuntimeError as e:
        print(json.dumps({"ok": False, "error": str(e)}))
        return 0

    fs = ti.files()
    files = []
    for i in range(fs.num_files()):
        flags = fs.file_flags(i)
        path = fs.file_path(i)
        link = None
        if flags & lt.file_storage.flag_symlink:
            # As storage_utils.cpp: lexically_relative(parent_path(file_path), symlink(i)).
            link = os.path.relpath(fs.symlink(i), os.path.dirname(path) or ".")
        files.append({
            "path": path,
            "size": fs.file_size(i),
            "pad": bool(flags & lt.file_storage.flag_pad_file),
            "symlink": link,
        })
    print(json.dumps({"ok": True, "name": ti.name(), "files": files}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

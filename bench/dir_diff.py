#!/usr/bin/env python3
"""Bytes rewritten between two builds of an index directory: files new or changed in NEW
(their sizes), files removed, and NEW's total. Usage: dir_diff.py OLD NEW"""
import hashlib, json, os, sys

def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, 'rb') as f:
                out[os.path.relpath(p, root)] = hashlib.sha256(f.read()).hexdigest(), os.path.getsize(p)
    return out

old, new = files(sys.argv[1]), files(sys.argv[2])
changed = [p for p in new if old.get(p, (None,))[0] != new[p][0]]
rewritten = sum(new[p][1] for p in changed)
total = sum(s for _, s in new.values())
print(json.dumps({"files": len(new), "total_bytes": total, "files_rewritten": len(changed),
                  "bytes_rewritten": rewritten, "files_removed": len(set(old) - set(new)),
                  "rewritten_share": round(rewritten / total, 4) if total else 0}))

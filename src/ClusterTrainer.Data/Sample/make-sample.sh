#!/usr/bin/env bash
# Rebuilds the Fashion-MNIST sample embedded in ClusterTrainer.Data: the first 6,000 training and
# the first 1,000 test images with their labels, as gzipped IDX files.
#
# The output must be byte-for-byte reproducible so that a re-run shows no diff in git: gzip is
# written with mtime 0 and no file name in its header, at a fixed compression level. (The bytes
# depend on zlib's deflate, which has been stable for years; compare with sha256sum after a run.)
#
# Usage: make-sample.sh [SOURCE_DIR]   (default /usr/share/datasets/fashion-mnist, Debian package
# dataset-fashion-mnist). Writes next to this script.
set -euo pipefail

src="${1:-/usr/share/datasets/fashion-mnist}"
out="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

python3 - "$src" "$out" <<'PY'
import gzip
import os
import struct
import sys

src, out = sys.argv[1], sys.argv[2]

def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    zero, dtype, ndims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = list(struct.unpack(f">{ndims}I", data[4:4 + 4 * ndims]))
    return dims, data[4 + 4 * ndims:]

def write_subset(name, count):
    for suffix in (".gz", ""):
        path = os.path.join(src, name + suffix)
        if os.path.exists(path):
            break
    else:
        sys.exit(f"{src}: {name}[.gz] not found")
    dims, body = read_idx(path)
    if dims[0] < count:
        sys.exit(f"{path}: has {dims[0]} items, need {count}")
    item = 1
    for d in dims[1:]:
        item *= d
    header = struct.pack(">HBB", 0, 0x08, len(dims)) + struct.pack(f">{len(dims)}I", count, *dims[1:])
    payload = header + body[:count * item]
    target = os.path.join(out, name + ".gz")
    with open(target, "wb") as raw:
        # filename="" keeps the source name out of the gzip header; mtime=0 keeps the clock out.
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as gz:
            gz.write(payload)
    print(f"{target}: {count} items, {os.path.getsize(target)} bytes")

write_subset("train-images-idx3-ubyte", 6000)
write_subset("train-labels-idx1-ubyte", 6000)
write_subset("t10k-images-idx3-ubyte", 1000)
write_subset("t10k-labels-idx1-ubyte", 1000)
PY

(cd "$out" && sha256sum ./*.gz)

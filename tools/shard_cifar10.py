"""Move CIFAR-10 (and other big files) to the GPU machine in pieces that fit the device tool's 64 MiB per call.

Here (repository root), once:

    python tools/shard_cifar10.py split                      # ../shared/data/cifar10.npz -> .carry/cifar10_partK.npz
    python tools/shard_cifar10.py split-file PATH --name inception   # any file -> .carry/inception_partK.bin

On the device, after the pieces have arrived (each call carries one or two and copies them out of the
repository with `stash`, so a later call that carries other pieces cannot remove them):

    python3 tools/shard_cifar10.py stash --to "$HOME/evodiff/parts"
    python3 tools/shard_cifar10.py join --parts "$HOME/evodiff/parts" --out "$EVODIFF_CIFAR10"
    python3 tools/shard_cifar10.py join-file --parts "$HOME/evodiff/parts" --name inception --out FILE

CIFAR-10 is stored losslessly: each image channel-planar with horizontal byte deltas, the whole stream compressed
with LZMA (about 0.71 of the raw size, against 0.92 for the npz), the compressed bytes cut into equal pieces.
`join` checks the SHA-256 of every array before it writes the standard npz (keys x_train, y_train, x_test, y_test).
`--train-only` leaves the test split out (about 109 MB instead of 131 MB: two pieces instead of three).
Only numpy and the standard library are needed.
"""
import argparse
import hashlib
import json
import lzma
import shutil
import sys
from pathlib import Path

import numpy as np

MB = 10 ** 6
KEYS = ('x_train', 'y_train', 'x_test', 'y_test')


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def encode_images(x: np.ndarray) -> np.ndarray:
    "uint8 images (N, H, W, C) -> channel-planar rows of byte deltas (N, C, H, W), uint8 (wrapping)."
    planar = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return np.diff(planar, axis=-1, prepend=np.zeros(planar.shape[:-1] + (1,), np.uint8)).astype(np.uint8)


def decode_images(d: np.ndarray) -> np.ndarray:
    "The inverse of `encode_images`."
    planar = np.cumsum(d, axis=-1, dtype=np.uint8)   # uint8 arithmetic wraps, undoing the wrapped differences
    return np.ascontiguousarray(planar.transpose(0, 2, 3, 1))


def _pieces(blob: bytes, max_bytes: int) -> list[bytes]:
    n = max(1, -(-len(blob) // max_bytes))
    size = -(-len(blob) // n)
    return [blob[i:i + size] for i in range(0, len(blob), size)]


def split(src: Path, out: Path, max_mb: float = 60, train_only: bool = False, preset: int = 6) -> list[Path]:
    "Write `out/cifar10_partK.npz` (K = 1..n), each under `max_mb` MB; return their paths."
    with np.load(src) as d: arrays = {k: d[k] for k in KEYS if not (train_only and k.endswith('_test'))}
    for k in ('x_train', 'y_train'):
        if k not in arrays: raise KeyError(f'{src}: not a CIFAR-10 npz, it lacks {k!r}')
    layout, stream = [], []
    for k, a in arrays.items():
        enc = encode_images(a) if k.startswith('x_') else np.ascontiguousarray(a)
        layout.append(dict(key=k, shape=list(a.shape), dtype=str(a.dtype), nbytes=enc.nbytes, sha256=sha256(a.tobytes())))
        stream.append(enc.tobytes())
    blob = lzma.compress(b''.join(stream), preset=preset)
    pieces = _pieces(blob, int(max_mb * MB) - 64 * 1024)          # room for the npz container and the manifest
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob('cifar10_part*.npz'): old.unlink()
    paths = []
    for i, piece in enumerate(pieces, 1):
        manifest = dict(part=i, n_parts=len(pieces), blob_sha256=sha256(blob), piece_sha256=sha256(piece),
                        layout=layout, source=src.name, encoding='planar byte deltas, lzma')
        path = out / f'cifar10_part{i}.npz'
        np.savez(path, piece=np.frombuffer(piece, np.uint8), manifest=np.array(json.dumps(manifest)))
        paths.append(path)
    return paths


def _read_part(path: Path) -> tuple[dict, bytes]:
    with np.load(path) as d: manifest, piece = json.loads(str(d['manifest'])), d['piece'].tobytes()
    if sha256(piece) != manifest['piece_sha256']: raise ValueError(f'{path}: damaged piece (SHA-256 mismatch)')
    return manifest, piece


def join(parts: Path, out: Path) -> dict:
    "Reassemble `parts/cifar10_partK.npz` into the standard CIFAR-10 npz `out`; return what it holds."
    found = sorted(parts.glob('cifar10_part*.npz'))
    if not found: raise FileNotFoundError(f'no cifar10_part*.npz in {parts}')
    read = {m['part']: (m, p) for m, p in map(_read_part, found)}
    n_parts = next(iter(read.values()))[0]['n_parts']
    missing = sorted(set(range(1, n_parts + 1)) - set(read))
    if missing: raise FileNotFoundError(f'{parts}: parts {missing} of {n_parts} have not arrived yet')
    blob = b''.join(read[i][1] for i in range(1, n_parts + 1))
    manifest = read[1][0]
    if sha256(blob) != manifest['blob_sha256']: raise ValueError('the pieces come from different splits (SHA-256 mismatch)')
    stream, arrays, offset = lzma.decompress(blob), {}, 0
    for item in manifest['layout']:
        enc = np.frombuffer(stream, np.uint8, count=item['nbytes'], offset=offset); offset += item['nbytes']
        if item['key'].startswith('x_'):
            n, h, w, c = item['shape']
            a = decode_images(enc.reshape(n, c, h, w))
        else: a = enc.view(item['dtype']).reshape(item['shape'])
        if sha256(a.tobytes()) != item['sha256']: raise ValueError(f"{item['key']}: SHA-256 mismatch after decoding")
        arrays[item['key']] = a
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + '.tmp.npz')
    np.savez(tmp, **arrays)
    tmp.replace(out)
    return {k: list(a.shape) for k, a in arrays.items()}


def split_file(src: Path, out: Path, name: str, max_mb: float = 60) -> list[Path]:
    "Cut any file into `out/<name>_partK.bin` of at most `max_mb` MB, with `out/<name>_manifest.json`."
    data = src.read_bytes()
    pieces = _pieces(data, int(max_mb * MB))
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f'{name}_part*.bin'): old.unlink()
    paths = []
    for i, piece in enumerate(pieces, 1):
        paths.append(out / f'{name}_part{i}.bin'); paths[-1].write_bytes(piece)
    manifest = dict(file=src.name, n_parts=len(pieces), bytes=len(data), sha256=sha256(data))
    (out / f'{name}_manifest.json').write_text(json.dumps(manifest, indent=1))
    return paths


def join_file(parts: Path, name: str, out: Path) -> dict:
    "Reassemble `parts/<name>_partK.bin` into `out`, checking the SHA-256 in `<name>_manifest.json`."
    manifest = json.loads((parts / f'{name}_manifest.json').read_text())
    paths = [parts / f'{name}_part{i}.bin' for i in range(1, manifest['n_parts'] + 1)]
    missing = [p.name for p in paths if not p.exists()]
    if missing: raise FileNotFoundError(f'{parts}: {missing} have not arrived yet')
    data = b''.join(p.read_bytes() for p in paths)
    if sha256(data) != manifest['sha256']: raise ValueError(f'{name}: SHA-256 mismatch after joining')
    out.parent.mkdir(parents=True, exist_ok=True); out.write_bytes(data)
    return manifest


def stash(src: Path, to: Path) -> list[str]:
    "Copy every piece under `src` (the carried folder) to `to`, outside the repository."
    to.mkdir(parents=True, exist_ok=True)
    copied = []
    for p in sorted(src.glob('*')):
        if p.is_file(): shutil.copy2(p, to / p.name); copied.append(p.name)
    return copied


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog='python tools/shard_cifar10.py', description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='command', required=True)
    s = sub.add_parser('split', help='CIFAR-10 npz -> .carry/cifar10_partK.npz')
    s.add_argument('--src', default='../shared/data/cifar10.npz'); s.add_argument('--out', default='.carry')
    s.add_argument('--max-mb', type=float, default=60); s.add_argument('--train-only', action='store_true')
    j = sub.add_parser('join', help='pieces -> CIFAR-10 npz (default: $EVODIFF_CIFAR10)')
    j.add_argument('--parts', default='.carry'); j.add_argument('--out', default=None)
    f = sub.add_parser('split-file', help='any file -> .carry/<name>_partK.bin + manifest')
    f.add_argument('src'); f.add_argument('--name', required=True); f.add_argument('--out', default='.carry')
    f.add_argument('--max-mb', type=float, default=60)
    g = sub.add_parser('join-file', help='pieces -> the original file')
    g.add_argument('--parts', default='.carry'); g.add_argument('--name', required=True); g.add_argument('--out', required=True)
    t = sub.add_parser('stash', help='copy the carried pieces out of the repository')
    t.add_argument('--src', default='.carry'); t.add_argument('--to', required=True)
    a = ap.parse_args(argv)
    if a.command == 'split':
        if not Path(a.src).exists(): ap.error(f'no CIFAR-10 file at {a.src}')
        for p in split(Path(a.src), Path(a.out), a.max_mb, a.train_only): print(f'{p}  {p.stat().st_size / MB:.1f} MB')
    elif a.command == 'join':
        import os
        out = a.out or os.environ.get('EVODIFF_CIFAR10')
        if not out: ap.error('give --out or set EVODIFF_CIFAR10')
        out = Path(out) / 'cifar10.npz' if Path(out).suffix != '.npz' else Path(out)
        print(f'{out}: {join(Path(a.parts), out)}')
    elif a.command == 'split-file':
        for p in split_file(Path(a.src), Path(a.out), a.name, a.max_mb): print(f'{p}  {p.stat().st_size / MB:.1f} MB')
    elif a.command == 'join-file': print(f'{a.out}: {join_file(Path(a.parts), a.name, Path(a.out))}')
    else: print(f'stashed in {a.to}: {stash(Path(a.src), Path(a.to))}')


if __name__ == '__main__':
    sys.exit(main())

"""Fuzzing the container and decode layer: ≥ 1000 mutated containers, no uncaught exception, no hang.

Seeds are tiny valid clips made here with PyAV (mp4 with the index at the end and at the
front, mov, mkv, webm/VP8, webm/VP9, avi/MPEG-4, avi/MJPEG). Each fuzz input applies 1–3
seeded mutations (bit flips, random or extreme 32-bit fields, cuts, deletions,
duplications, insertions, splices of two seeds). A persistent worker subprocess runs
each input through ``probe`` + ``FileSource`` with a per-input timeout; a hang or a crash
is recorded and the worker restarted. ``HINGE_FUZZ_N`` raises the count.

A small subset also goes through the real console script (``analyze``) end to end.
"""

from __future__ import annotations

import json
import os
import random
import select
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from . import inputs as I
from .conftest import FUZZ_SUMMARY, assert_no_outputs, run_cli

N_INPUTS = int(os.environ.get("HINGE_FUZZ_N", "3000"))
TIMEOUT_S = 10.0  # per input; a tiny clip decodes in milliseconds
MEM_LIMIT = 3 << 30  # address-space cap of the worker (bytes)
SEED = int(os.environ.get("HINGE_FUZZ_SEED", "20240607"))
WORKER = Path(__file__).with_name("fuzz_worker.py")
EXTREMES = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFF, 8, 0x10000]


def make_seeds(d: Path, n: int = 12) -> list[bytes]:
    frames = I.frames_noise(n, 64, 48, seed=5)
    specs = [
        ("a.mp4", "mp4", "libx264", {}),
        ("b.mp4", "mp4", "libx264", {"movflags": "+faststart"}),
        ("c.mov", "mov", "libx264", {}),
        ("d.mkv", "matroska", "libx264", {}),
        ("e.webm", "webm", "libvpx", {}),
        ("f.webm", "webm", "libvpx-vp9", {}),
        ("g.avi", "avi", "mpeg4", {}),
        ("h.avi", "avi", "mjpeg", {}),
    ]
    seeds = []
    for name, fmt, codec, copts in specs:
        p = I.encode(
            d / name,
            frames,
            fmt=fmt,
            codec=codec,
            container_options=copts,
            pix_fmt="yuvj420p" if codec == "mjpeg" else "yuv420p",
        )
        seeds.append(p.read_bytes())
    return seeds


def mutate(data: bytes, seeds: list[bytes], rng: random.Random) -> tuple[bytes, list[str]]:
    b = bytearray(data)
    ops = []

    def pos(n=1):  # half of the mutations hit the first KiB, where the container headers live
        hi = max(1, len(b) - n)
        return rng.randrange(min(hi, 1024)) if rng.random() < 0.5 else rng.randrange(hi)

    for _ in range(rng.randint(1, 3)):
        if not b:
            break
        op = rng.choice(["flip", "bytes", "int32", "cut", "delete", "dup", "insert", "splice", "zero"])
        ops.append(op)
        if op == "flip":
            for _ in range(rng.randint(1, 32)):
                i = pos()
                b[i] ^= 1 << rng.randrange(8)
        elif op == "bytes":
            i, n = pos(), rng.randint(1, 64)
            b[i : i + n] = rng.randbytes(n)
        elif op == "int32" and len(b) >= 4:
            i = pos(4)
            b[i : i + 4] = rng.choice(EXTREMES).to_bytes(4, rng.choice(["big", "little"]))
        elif op == "cut":
            del b[rng.randrange(len(b)) :]
        elif op == "delete":
            i = pos()
            del b[i : i + rng.randint(1, 512)]
        elif op == "dup":
            i, n = pos(), rng.randint(1, 512)
            b[i:i] = b[i : i + n]
        elif op == "insert":
            b[pos() : pos()] = rng.randbytes(rng.randint(1, 256))
        elif op == "splice":
            other = rng.choice(seeds)
            i, j = rng.randrange(len(b)), rng.randrange(len(other))
            b = b[:i] + bytearray(other[j:])
        elif op == "zero":
            i, n = pos(), rng.randint(1, 256)
            b[i : i + n] = bytes(len(b[i : i + n]))
    return bytes(b), ops


class Worker:
    """One persistent worker subprocess with a per-input timeout; restarted after a hang or crash."""

    def __init__(self, log: Path):
        self.log = log
        self.proc = None
        self.restarts = 0

    def start(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(MEM_LIMIT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(self.log, "ab"),
            text=True,
            cwd=str(WORKER.parents[2]),
        )
        assert self._read(120) == {"status": "ready"}

    def _read(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else {"status": "crash", "rc": self.proc.wait()}

    def check(self, path: Path) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.proc.stdin.write(f"{path}\n")
        self.proc.stdin.flush()
        res = self._read(TIMEOUT_S)
        if res is None:
            res = {"status": "hang"}
        if res["status"] in ("hang", "crash"):
            self.kill()
            self.restarts += 1
        return res

    def kill(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            self.proc = None


def test_fuzz_container_and_decode_layer(tmp_path, record_property):
    seeds = make_seeds(tmp_path)
    rng = random.Random(SEED)
    worker = Worker(tmp_path / "worker.log")
    failures, outcomes, codes = [], Counter(), Counter()
    keep = tmp_path / "failing"
    t0 = time.monotonic()
    try:
        # the unmodified seeds first: they must decode
        for k, s in enumerate(seeds):
            p = tmp_path / f"seed{k}.bin"
            p.write_bytes(s)
            res = worker.check(p)
            assert res["status"] == "ok" and res["frames"] == 12, (k, res)
        for k in range(N_INPUTS):
            data, ops = mutate(rng.choice(seeds), seeds, rng)
            p = tmp_path / ("fuzz.mp4" if k % 2 else "fuzz.bin")  # the suffix must not matter
            p.write_bytes(data)
            res = worker.check(p)
            outcomes[res["status"]] += 1
            if res["status"] == "refused":
                codes[res["code"]] += 1
            elif res["status"] not in ("ok",):
                keep.mkdir(exist_ok=True)
                kept = keep / f"input{k}{p.suffix}"
                kept.write_bytes(data)
                failures.append({"input": k, "ops": ops, "kept": str(kept), **res})
    finally:
        worker.kill()
    elapsed = time.monotonic() - t0
    n = sum(outcomes.values())
    line = (
        f"fuzz: {n} mutated containers through probe+FileSource in {elapsed:.0f} s (seed {SEED}): "
        f"{outcomes['ok']} decoded, {outcomes['refused']} refused with an AnalyzerError "
        f"({dict(codes.most_common())}), {len(failures)} failures "
        f"(uncaught/hang/crash: {outcomes['bad']}/{outcomes['hang']}/{outcomes['crash']})"
    )
    FUZZ_SUMMARY.append(line)
    record_property("fuzz_summary", line)
    print(line)
    assert n >= 1000
    assert outcomes["ok"] > 0 and outcomes["refused"] > 0  # the mutations reach both outcomes
    assert not failures, line + "\n" + "\n".join(json.dumps(f)[:2000] for f in failures[:10])


@pytest.mark.slow
def test_fuzz_subset_through_the_console_script(tmp_path, model_path):
    """A dozen mutated clips through ``hinge-analyzer analyze``: only clean, specific refusals."""
    seeds = make_seeds(tmp_path, n=45)  # 1.5 s: long enough to reach the pose model
    rng = random.Random(SEED + 1)
    allowed = {3, 4, 5, 6, 0}
    seen = Counter()
    for k in range(12):
        data, ops = mutate(seeds[k % len(seeds)], seeds, rng)
        p = tmp_path / f"mut{k}.mp4"
        p.write_bytes(data)
        out = tmp_path / f"out{k}"
        r = run_cli("analyze", p, "--out", out, "--quiet", "--no-video", cwd=tmp_path)
        both = r.stdout + r.stderr
        assert "Traceback" not in both and "internal error" not in both, (k, ops, both)
        assert r.returncode in allowed and r.returncode != 0, (k, ops, r.returncode, both)  # no person in noise
        assert len(r.error_lines) == 1, (k, both)
        assert_no_outputs(out)
        seen[r.returncode] += 1
    FUZZ_SUMMARY.append(f"fuzz (console script subset): 12 mutated clips, exit codes {dict(seen)}, 0 tracebacks")

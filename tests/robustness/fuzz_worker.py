"""Fuzz worker: read one file path per line on stdin, push it through the CLI's input path
(``probe`` + ``FileSource`` decode, threaded as the pipeline uses it) and answer one JSON line.

Answers: ``{"status": "ok", "frames": n}``, ``{"status": "refused", "code": ..., "msg": ...}``
for an :class:`AnalyzerError` (the only exceptions allowed), or ``{"status": "bad", ...}`` for
anything else (an uncaught exception or an invalid frame). The parent enforces the per-input
timeout and restarts the worker after a hang or a crash.
"""

from __future__ import annotations

import json
import resource
import sys
import traceback

MAX_FRAMES = 64


def check(path: str) -> dict:
    import numpy as np

    from analyzer.capture.video import FileSource
    from analyzer.errors import AnalyzerError

    try:
        src = FileSource(path, max_side=160)
        n, last = 0, -np.inf
        for fr in src:
            img = fr.image
            if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3 or max(img.shape[:2]) > 160:
                return {"status": "bad", "type": "BadFrame", "msg": f"{img.dtype} {img.shape}"}
            if not np.isfinite(fr.t) or fr.t <= last:
                return {"status": "bad", "type": "BadTimestamp", "msg": f"{fr.t} after {last}"}
            last = fr.t
            n += 1
            if n >= MAX_FRAMES:
                break
        if any(not isinstance(w, str) or not w for w in src.warnings):
            return {"status": "bad", "type": "BadWarning", "msg": repr(src.warnings)}
        return {"status": "ok", "frames": n, "warnings": len(src.warnings)}
    except AnalyzerError as exc:
        msg = str(exc)
        if not msg or "\n" in msg or len(msg) > 400:
            return {"status": "bad", "type": "BadMessage", "msg": msg}
        return {"status": "refused", "code": exc.code, "msg": msg}
    except BaseException as exc:  # noqa: BLE001 - this is what the fuzzer hunts
        return {
            "status": "bad",
            "type": type(exc).__name__,
            "msg": str(exc)[:300],
            "tb": traceback.format_exc(limit=6)[-1500:],
        }


def main() -> None:
    mem = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if mem:  # a mutated header claiming a gigantic frame must not take the machine down
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    import analyzer.capture.video  # noqa: F401 - warm imports before the first timed input

    print(json.dumps({"status": "ready"}), flush=True)
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        print(json.dumps(check(path)), flush=True)


if __name__ == "__main__":
    main()

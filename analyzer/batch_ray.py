"""Running a batch on Ray: a local instance or a cluster, one actor per worker, rows as they finish."""

from __future__ import annotations

import os
from typing import Any

from .batch_worker import analyze_clip, init_worker


def run_ray(todo, wopts: dict, address: str | None, jobs: int | None, finished) -> None:
    """The same work on Ray: one actor per worker (model loaded once), ``ActorPool`` hands out clips."""
    try:
        import ray
        from ray.util import ActorPool
    except ImportError as exc:
        from .errors import AnalyzerError

        raise AnalyzerError("Ray is not installed: pip install 'hinge-analyzer[ray]'.") from exc

    started = False
    if not ray.is_initialized():
        kw: dict[str, Any] = {"include_dashboard": False, "ignore_reinit_error": True, "log_to_driver": False}
        if address:
            ray.init(address=address, **kw)
        elif os.environ.get("RAY_ADDRESS"):  # join the cluster the environment names
            ray.init(**kw)
        else:  # a local instance sized to --jobs
            ray.init(num_cpus=jobs or None, **kw)
        started = True
    try:
        n = jobs or max(1, int(ray.cluster_resources().get("CPU", 1)))
        n = max(1, min(n, len(todo)))
        Worker = ray.remote(num_cpus=1)(RayWorker)
        actors = [Worker.remote(wopts) for _ in range(n)]
        pool = ActorPool(actors)
        index = {}
        for i, p, sha, d in todo:
            index[(p, sha)] = i
            pool.submit(lambda a, v: a.run.remote(*v), (p, sha, d))
        while pool.has_next():
            try:
                row = pool.get_next_unordered()
            except Exception as exc:  # actor died: Ray reports it here
                row = {"status": "error", "error_code": "worker_crashed", "error": f"{type(exc).__name__}: {exc}"}
                # Which clip it was is not known from the exception; match the first unfinished one.
                left = [k for k in index if index[k] is not None]
                if not left:
                    continue
                row.update(clip=left[0][0], sha256=left[0][1])
            k = (row["clip"], row["sha256"])
            i = index.get(k)
            if i is None:
                continue
            index[k] = None
            finished(i, row)
        for a in actors:
            ray.kill(a)  # type: ignore[arg-type]
    finally:
        if started:
            ray.shutdown()


class RayWorker:
    """A Ray actor holding one worker's state (same initializer and task as the local pool)."""

    def __init__(self, wopts: dict):
        init_worker(wopts)

    def run(self, path: str, sha: str, out_dir: str) -> dict:
        return analyze_clip(path, sha, out_dir)

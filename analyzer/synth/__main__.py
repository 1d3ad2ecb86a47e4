"""python -m analyzer.synth NAME|samples|matrix OUT_DIR — render named scenarios with their ground truth."""

from __future__ import annotations

import sys
from pathlib import Path

from . import render_scenario, sample_specs, scenario_matrix


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    which, out = argv[0], Path(argv[1])
    pool = {s.name: s for s in sample_specs() + scenario_matrix()}
    if which == "samples":
        specs = sample_specs()
    elif which == "matrix":
        specs = scenario_matrix()
    elif which in pool:
        specs = [pool[which]]
    else:
        print(f"unknown scenario {which!r}", file=sys.stderr)
        return 2
    for s in specs:
        tr = render_scenario(s, out / f"{s.name}.mp4")
        print(f"{s.name}: {tr.meta['n_frames']} frames -> {out / (s.name + '.mp4')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Assemble ``pose_landmarker_lite.task`` on a machine that cannot reach MediaPipe's model storage.

Machines with internet should use the official bundle (``hinge-analyzer models fetch lite``).
Offline, the BlazePose GHUM *lite* landmark network is in the npm package ``@mediapipe/pose``
(``npm pack @mediapipe/pose`` → ``package/pose_landmark_lite.tflite``, Apache-2.0). The Tasks API
needs TFLite metadata (input normalisation) on it; the full bundle's landmark model carries the
same metadata for the same tensors, so it is copied across, and the pose detector (shared by
lite/full/heavy) is taken from the full bundle::

    python benchmarks/experiments/make_lite_task.py LITE.tflite FULL.task OUT/pose_landmarker_lite.task

Needs ``tflite-support`` (``pip install tflite-support``; a throw-away venv is fine — it is not a
project dependency). The result is for benchmarking; never commit it.
"""

from __future__ import annotations

import sys
import zipfile


def main(lite_tflite: str, full_task: str, out: str) -> None:
    from tflite_support import metadata as M

    with zipfile.ZipFile(full_task) as z:
        detector = z.read("pose_detector.tflite")
        full_lm = z.read("pose_landmarks_detector.tflite")
    meta = M.MetadataDisplayer.with_model_buffer(full_lm).get_metadata_buffer()
    p = M.MetadataPopulator.with_model_buffer(open(lite_tflite, "rb").read())
    p.load_metadata_buffer(meta)
    p.populate()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("pose_detector.tflite", detector)
        z.writestr("pose_landmarks_detector.tflite", p.get_model_buffer())
    print(out)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])

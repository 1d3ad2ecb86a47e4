"""Perfect landmarks of the synthetic figure: the renderer's skeleton projected by its camera into a PoseTrack.

No video and no model: visibility from the camera side, depth from the camera. The post-pose stages
(:func:`analyzer.pipeline.analyze_track`) run on it as on a user's clip. ``masks=True`` adds the figure's exact
silhouette from the renderer's depth buffer, at the pose model's stored mask size, so the back outline can be
read as the pipeline reads it.
"""

from __future__ import annotations

import numpy as np

from analyzer import landmarks as L
from analyzer.synth.camera import Camera, make_camera
from analyzer.synth.scenarios import ScenarioSpec, build_motion
from analyzer.track.data import PoseTrack
from analyzer.track.masks import MaskStore, small_mask_shape


def exact_masks(spec: ScenarioSpec, motion, cam: Camera, max_side: int = 256) -> MaskStore:
    """The figure's silhouette in every frame (renderer depth in front of the backdrop), ``max_side`` px at most."""
    from analyzer.synth.raster import raster
    from analyzer.synth.render import body_prims
    from analyzer.synth.scene import Scene, background

    h, w = small_mask_shape(spec.height, spec.width, max_side)
    small = Camera(cam.position, cam.R, cam.f * w / spec.width, w, h, cam.azimuth)
    scene = Scene()
    bg, bg_depth = background(small, scene, np.random.default_rng(0))
    rays = small.rays()
    pr = body_prims(motion.skeleton)
    bits = np.zeros((len(motion.t), (h * w + 7) // 8), np.uint8)
    for i in range(len(motion.t)):
        _, depth = raster(small, rays, pr.C[i], pr.Q[i], pr.R[i], pr.colour, pr.gloss, bg, bg_depth, scene)
        bits[i] = np.packbits((depth < bg_depth - 1e-6).ravel())
    return MaskStore((h, w), bits)


def perfect_track(spec: ScenarioSpec, masks: bool = False) -> PoseTrack:
    motion = build_motion(spec)
    cam = make_camera(spec.view, spec.width, spec.height, subject_height=spec.body_height, cam_height=1.1)
    pts = motion.skeleton.points
    T = len(motion.t)
    xy = np.full((T, 33, 2), np.nan, np.float32)
    z = np.full((T, 33), np.nan, np.float32)
    world = np.full((T, 33, 3), np.nan, np.float32)
    for i, name in enumerate(L.NAMES):
        if name in pts:
            xy[:, i] = cam.project(pts[name])
            z[:, i] = cam.to_camera(pts[name])[:, 2]
            world[:, i] = pts[name]
    world -= np.nanmean(world[:, [L.L_HIP, L.R_HIP]], axis=1, keepdims=True)  # metres, hip-centred as MediaPipe
    z -= np.nanmean(z[:, [L.L_HIP, L.R_HIP]], axis=1, keepdims=True)
    vis = np.where(np.isfinite(xy[..., 0]), 1.0, 0.0).astype(np.float32)
    if spec.view.startswith("side"):  # the far leg is seen less well, as MediaPipe reports it
        far = "right" if spec.view == "side_left" else "left"  # side_left: the camera at the subject's left
        vis[:, list(L.LEG[far])] = 0.7
    return PoseTrack(
        t=motion.t.astype(np.float64),
        xy=xy,
        z=z,
        visibility=vis,
        presence=vis.copy(),
        world=world,
        n_people=np.ones(T, np.int8),
        width=spec.width,
        height=spec.height,
        fps=spec.frame_rate,
        model="perfect",
        masks=exact_masks(spec, motion, cam) if masks else None,
    )

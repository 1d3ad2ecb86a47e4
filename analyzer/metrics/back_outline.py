"""The back outline from the segmentation mask (method spec §B eq. 10): contour, LCP and sacral tangent, per frame.

Rays are cast from the trunk axis (MH→MS) in the posterior direction at stations u (fraction of trunk
length, 0 = MH, 1 = MS) and stop at the mask edge. The buttock apex is the most posterior point for
u ≤ 0.1; the contour runs from the apex up to u = 0.45 (y_TL = y_MH − 0.45·(y_MH − y_MS) when upright).
A cubic is fitted to the contour in chord coordinates: LCP = signed max contour–chord distance / chord
length (+ = bulging backward = rounded, − = curving inward = arched); sacral tangent σ = angle of the
fitted curve just above the apex from the upward vertical, + = top tilted forward (image frame, so it
includes whole-pelvis rotation). Both are proxies, reported only as changes from standing.

The pelvis angle is the direction of the outline over the sacrum (:data:`SACRUM_U` above the apex): a
straight total-least-squares line, from the upward vertical, + = top tipped forward (anterior). It moves
with the pelvis and not with the lumbar curve above it, so its change from standing is the pelvic-tilt
proxy, and the upper back's change minus it is the back-rounding proxy (:mod:`.posture`).
"""

from __future__ import annotations

import contextlib
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..context import reps as S
from .sacrum import SACRUM_APEX_U, UPPER_BACK_STATIONS, UPPER_BACK_U, line_angles, sacral_angles

TL_U = 0.45


APEX_U = (-0.40, 0.10)


def back_contour(
    mask: np.ndarray,
    scale_xy: tuple[float, float],
    mh: np.ndarray,
    ms: np.ndarray,
    direction: int,
    n_stations: int = 64,
) -> tuple[float, float, np.ndarray | None]:
    """(LCP, σ deg, contour points px (N,2)) of one frame; NaN when the contour can't be found.

    ``scale_xy`` = (mask_w / W, mask_h / H); ``mh``/``ms`` in px; ``direction`` ±1.
    """
    nan = (float("nan"), float("nan"), None)
    if direction not in (1, -1) or not (np.all(np.isfinite(mh)) and np.all(np.isfinite(ms))):
        return nan
    h, w = mask.shape
    sx, sy = scale_xy
    a = ms - mh
    Lt = float(np.hypot(*a))
    if Lt < 5:
        return nan
    e = a / Lt
    n = direction * np.array([e[1], -e[0]])  # posterior normal
    u = np.linspace(APEX_U[0], TL_U, n_stations)
    step = 0.5 / min(sx, sy)
    r = np.arange(0.0, 0.6 * Lt, step)
    pts = mh[None, None, :] + (u[:, None, None] * Lt) * e[None, None, :] + r[None, :, None] * n[None, None, :]
    ix = np.round(pts[..., 0] * sx - 0.5).astype(int)
    iy = np.round(pts[..., 1] * sy - 0.5).astype(int)
    inb = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
    inside = np.zeros(ix.shape, bool)
    inside[inb] = mask[iy[inb], ix[inb]]
    start_in = inside[:, 0]
    out_after = ~inside
    first_out = np.where(out_after.any(1), out_after.argmax(1), len(r))
    d = np.where(start_in & (first_out < len(r)), r[np.clip(first_out, 0, len(r) - 1)] - step / 2, np.nan)
    low = (u <= APEX_U[1]) & np.isfinite(d)
    if low.sum() < 3 or np.isfinite(d).sum() < 8:
        return nan
    ia = int(np.flatnonzero(low)[np.argmax(d[low])])
    seg = np.arange(ia, n_stations)
    seg = seg[np.isfinite(d[seg])]
    if seg.size < 6:
        return nan
    P = mh[None, :] + (u[seg, None] * Lt) * e[None, :] + d[seg, None] * n[None, :]
    c0, c1 = P[0], P[-1]
    chord = c1 - c0
    cl = float(np.hypot(*chord))
    if cl < 3:
        return nan
    ch = chord / cl
    nrm = np.array([-ch[1], ch[0]])
    if nrm @ n < 0:
        nrm = -nrm  # + = posterior
    s = (P - c0) @ ch
    off = (P - c0) @ nrm
    coef = np.polyfit(s, off, 3)
    sg = np.linspace(s.min(), s.max(), 100)
    fit = np.polyval(coef, sg)
    fitted = c0[None, :] + sg[:, None] * ch[None, :] + fit[:, None] * nrm[None, :]
    f0, f1 = fitted[0], fitted[-1]
    fc = f1 - f0
    fl = float(np.hypot(*fc))
    fn = np.array([-fc[1], fc[0]]) / fl
    if fn @ n < 0:
        fn = -fn
    dist = (fitted - f0) @ fn
    k = int(np.argmax(np.abs(dist)))
    lcp = float(dist[k] / fl)
    j = min(len(sg) - 1, 15)  # ~15 % of the chord above the apex
    tan = fitted[j] - fitted[max(j - 5, 0)]
    sigma = float(np.degrees(np.arctan2(direction * tan[0], -tan[1])))
    return lcp, sigma, fitted


_BLOCK = 128  # frames per block in :func:`back_contours`: ≈ 6.6 MB of unpacked 256×192 masks, two in flight


_FIRST, _CHUNK = 16, 8  # ray samples tested in the first / each later pass of :func:`_ray_depths`


def _mask_block(store, frames: np.ndarray) -> tuple[np.ndarray, int]:
    """Masks of ``frames`` as one flat bool array of rows of ``stride`` ≥ w + 1 pixels: a zero row, then
    per frame a zero row, its h rows (zero from column w on) and a zero row. Pixel (y, x) of the f-th
    frame is at ``stride·(f·(h+2) + y + 2) + x``; x = −1 or w and y = −1 or h land on zeros."""
    h, w = store.shape
    F = len(frames)
    if hasattr(store, "compressed") and w % 8 == 0:  # pad the packed rows with one zero byte and unpack once
        wb = w // 8 + 1
        pk = np.zeros((1 + F * (h + 2), wb), np.uint8)
        raw = np.frombuffer(b"".join(zlib.decompress(store.compressed(int(i))) for i in frames), np.uint8)
        pk[1:].reshape(F, h + 2, wb)[:, 1 : h + 1, : w // 8] = raw.reshape(F, h, w // 8)
        return np.unpackbits(pk.reshape(-1)).view(bool), 8 * wb
    stride = w + 1
    out = np.zeros((1 + F * (h + 2), stride), bool)
    body = out[1:].reshape(F, h + 2, stride)
    for k, i in enumerate(frames):
        body[k, 1 : h + 1, :w] = store.get(int(i))
    return out.reshape(-1), stride


def _ray_depths(
    masks: np.ndarray,
    stride: int,
    shape: tuple[int, int],
    scale_xy: tuple[float, float],
    A: np.ndarray,
    n: np.ndarray,
    Lt: np.ndarray,
    step: float,
) -> np.ndarray:
    """Depth (px) along the posterior normal where each station's ray leaves the mask, (F, S); NaN if never/not inside.

    ``masks``/``stride`` from :func:`_mask_block` (mask ``shape`` (h, w)); ``A`` (F, S, 2) ray origins px;
    ``n`` (F, 2) unit normals; ``Lt`` (F,) trunk lengths px; samples every ``step`` px, ``ceil(0.6·Lt / step)``
    per ray. Samples are tested ``_CHUNK`` at a time and a ray stops at its first sample outside, with the
    same arithmetic as :func:`back_contour`, so depths are identical.
    """
    F, S = A.shape[:2]
    mh, mw = shape
    sx, sy = scale_xy
    R = np.ceil(0.6 * Lt / step).astype(np.int64)  # = len(np.arange(0, 0.6·Lt, step))
    r = np.arange(int(R.max())) * step  # = np.arange(0, 0.6·Lt, step), bit for bit
    base = stride * (np.arange(F) * (mh + 2) + 2)  # flat index of pixel (0, 0) of each frame
    Ax, Ay = A[..., 0].ravel(), A[..., 1].ravel()
    depth = np.full(F * S, np.nan)
    act = np.arange(F * S)  # rays still inside the mask
    k0 = 0
    while act.size and k0 < r.size:
        k1 = min(k0 + (_FIRST if k0 == 0 else _CHUNK), r.size)
        f = act // S
        rk = r[k0:k1]
        fx = Ax[act, None] + rk * n[f, 0, None]
        fx *= sx
        fx -= 0.5
        np.rint(fx, out=fx)
        np.clip(fx, -1, mw, out=fx)
        fy = Ay[act, None] + rk * n[f, 1, None]
        fy *= sy
        fy -= 0.5
        np.rint(fy, out=fy)
        np.clip(fy, -1, mh, out=fy)
        fy *= stride
        fy += fx
        fy += base[f, None]
        out = ~masks[fy.astype(np.intp)]
        if k0 == 0:  # a ray that starts outside the mask has no depth
            start_in = ~out[:, 0]
            act, f, out = act[start_in], f[start_in], out[start_in]
        left = out.any(axis=1)
        first = k0 + out.argmax(axis=1)
        hit = left & (first < R[f])
        depth[act[hit]] = r[first[hit]] - step / 2
        act = act[~left & (k1 < R[f])]
        k0 = k1
    return depth.reshape(F, S)


def _cubic_fit(s: np.ndarray, y: np.ndarray, w: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares cubic through the points (s, y) where ``w``, evaluated at ``x``; one fit per row.

    Solved by QR in each row's centred, scaled variable: the same curve as ``np.polyval(np.polyfit(
    s[w], y[w], 3), x)`` to float rounding. Also returns a condition estimate (max/min |diag R|).
    """
    lo = np.min(np.where(w, s, np.inf), axis=1)
    hi = np.max(np.where(w, s, -np.inf), axis=1)
    mid, half = (lo + hi) / 2, np.maximum((hi - lo) / 2, 1e-12)
    z = np.where(w, (s - mid[:, None]) / half[:, None], 0.0)
    wf = w.astype(np.float64)
    V = np.stack([wf, z, z * z, z * z * z], axis=-1)  # (F, S, 4), rows outside ``w`` zero
    Q, R = np.linalg.qr(V)
    dg = np.abs(np.diagonal(R, axis1=1, axis2=2))
    cond = dg.max(axis=1) / np.maximum(dg.min(axis=1), 1e-300)
    R = R + (dg < 1e-300)[:, :, None] * np.eye(4)  # singular rows: any answer (flagged by cond)
    coef = np.linalg.solve(R, np.matmul(np.where(w, y, 0.0)[:, None, :], Q).transpose(0, 2, 1))[..., 0]
    zx = (x - mid[:, None]) / half[:, None]
    return ((coef[:, 3, None] * zx + coef[:, 2, None]) * zx + coef[:, 1, None]) * zx + coef[:, 0, None], cond


def back_contours(
    store, frames, scale_xy: tuple[float, float], mh: np.ndarray, ms: np.ndarray, direction: int, n_stations: int = 64
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(LCP (F,), σ (F,) deg, pelvis angle (F,) deg, upper-back angle (F,) deg) of :func:`back_contour` (and
    :mod:`.sacrum`) for many frames at once; NaN where not found.

    ``store`` is a :class:`~analyzer.track.masks.MaskStore`, ``frames`` (F,) frame indices (each with a mask),
    ``mh``/``ms`` (F, 2) px. Same ray casting as :func:`back_contour` (identical contour points); the
    cubic fit is solved in batch, so LCP and σ agree with it to float rounding (≈ 1e-12).
    """
    frames = np.asarray(frames, dtype=np.int64)
    F = frames.size
    lcp, sig, pel, upb = (np.full(F, np.nan) for _ in range(4))
    if F == 0 or direction not in (1, -1):
        return lcp, sig, pel, upb
    mh, ms = np.asarray(mh, np.float64), np.asarray(ms, np.float64)
    a = ms - mh
    Lt = np.hypot(a[:, 0], a[:, 1])
    ok = np.isfinite(mh).all(axis=1) & np.isfinite(ms).all(axis=1) & (Lt >= 5)
    u = np.linspace(APEX_U[0], TL_U, n_stations)
    u2 = np.linspace(*UPPER_BACK_U, UPPER_BACK_STATIONS)
    step = 0.5 / min(scale_xy)
    blocks = [b0 + np.flatnonzero(ok[b0 : b0 + _BLOCK]) for b0 in range(0, F, _BLOCK)]
    blocks = [b for b in blocks if b.size]
    h, w = store.shape
    # A helper thread decodes the next block's masks (zlib and numpy release the GIL) while this one casts rays.
    with ThreadPoolExecutor(max_workers=1) if len(blocks) > 1 else contextlib.nullcontext() as pool:
        nxt = None
        for j, idx in enumerate(blocks):
            masks, stride = nxt.result() if nxt is not None else _mask_block(store, frames[idx])
            nxt = pool.submit(_mask_block, store, frames[blocks[j + 1]]) if pool and j + 1 < len(blocks) else None
            L_, m0 = Lt[idx], mh[idx]
            e = a[idx] / L_[:, None]
            n = direction * np.stack([e[:, 1], -e[:, 0]], axis=1)  # posterior normal
            A = m0[:, None, :] + (u[None, :, None] * L_[:, None, None]) * e[:, None, :]  # (F, S, 2) station points
            d = _ray_depths(masks, stride, store.shape, scale_xy, A, n, L_, step)
            lcp[idx], sig[idx], pel[idx], fragile = _contour_fit(d, A, n, u, direction)
            A2 = m0[:, None, :] + (u2[None, :, None] * L_[:, None, None]) * e[:, None, :]
            d2 = _ray_depths(masks, stride, store.shape, scale_xy, A2, n, L_, step)
            w2 = np.isfinite(d2)
            upb[idx] = line_angles(A2 + np.where(w2, d2, 0.0)[..., None] * n[:, None, :], w2, e, direction, 6)
            for k in np.flatnonzero(fragile):  # near-ties the batch fit could decide differently: the scalar path
                mask = masks[stride * (k * (h + 2) + 2) :][: h * stride].reshape(h, stride)[:, :w]
                lcp[idx[k]], sig[idx[k]], _ = back_contour(mask, scale_xy, m0[k], ms[idx[k]], direction, n_stations)
    return lcp, sig, pel, upb


#: Relative margin under which a sign test or an argmax of :func:`back_contour` counts as a near-tie.
_TIE = 1e-7


#: Condition estimate of the cubic fit above which the batch fit may differ from ``np.polyfit`` by > 1e-9.
_COND = 1e3


def _contour_fit(
    d: np.ndarray, A: np.ndarray, n: np.ndarray, u: np.ndarray, direction: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(LCP, σ deg, pelvis angle deg (:func:`~.sacrum.sacral_angles`), fragile) per frame from ray depths
    ``d`` (F, S) px at station points ``A`` (F, S, 2):
    the apex/chord/cubic steps of :func:`back_contour`, vectorised over frames (the fitted curve is
    handled in chord coordinates). ``fragile`` marks frames whose result hangs on a near-tie (a sign
    test or argmax within rounding) or an ill-conditioned fit."""
    F, S = d.shape
    lcp, sigma, pelvis, fragile = np.full(F, np.nan), np.full(F, np.nan), np.full(F, np.nan), np.zeros(F, bool)
    fin = np.isfinite(d)
    low = fin & (u <= APEX_U[1])[None, :]
    ia = np.argmax(np.where(low, d, -np.inf), axis=1)  # buttock apex: deepest low station
    seg = fin & (np.arange(S)[None, :] >= ia[:, None])
    last = S - 1 - np.argmax(seg[:, ::-1], axis=1)
    g = np.flatnonzero((low.sum(1) >= 3) & (fin.sum(1) >= 8) & (seg.sum(1) >= 6))
    P = A[g] + np.where(fin[g], d[g], 0.0)[..., None] * n[g, None, :]  # contour points px
    rows = np.arange(g.size)
    c0 = P[rows, ia[g]]
    chord = P[rows, last[g]] - c0
    cl = np.hypot(chord[:, 0], chord[:, 1])
    keep = cl >= 3
    g, P, c0, chord, cl, seg = g[keep], P[keep], c0[keep], chord[keep], cl[keep], seg[g[keep]]
    rows, ng = np.arange(g.size), n[g]
    e = direction * np.stack([-ng[:, 1], ng[:, 0]], axis=1)  # unit trunk axis (n is its posterior normal)
    iap = np.argmax(np.where(fin[g] & (u <= SACRUM_APEX_U)[None, :], d[g], -np.inf), axis=1)
    pelvis[g] = sacral_angles(P, fin[g], u, u[iap], e, direction)
    ch = chord / cl[:, None]
    nrm = np.stack([-ch[:, 1], ch[:, 0]], axis=1)
    dn = (nrm * ng).sum(1)
    nrm *= np.where(dn < 0, -1.0, 1.0)[:, None]  # + = posterior
    Qp = P - c0[:, None, :]
    s = Qp[..., 0] * ch[:, 0, None] + Qp[..., 1] * ch[:, 1, None]
    off = Qp[..., 0] * nrm[:, 0, None] + Qp[..., 1] * nrm[:, 1, None]
    lo = np.min(np.where(seg, s, np.inf), axis=1)
    hi = np.max(np.where(seg, s, -np.inf), axis=1)
    sg = np.linspace(lo, hi, 100, axis=1)  # (G, 100)
    fit, cond = _cubic_fit(s, off, seg, sg)
    # fitted curve = c0 + sg·ch + fit·nrm; relative to its first point, in (ch, nrm) coordinates (p, q)
    p, q = sg - sg[:, :1], fit - fit[:, :1]
    P1, Q1 = p[:, -1], q[:, -1]
    fl = np.hypot(P1, Q1)
    with np.errstate(invalid="ignore", divide="ignore"):
        # fn = unit normal of the fitted chord, turned posterior: fn·n = (P1·(nrm·n) − Q1·(ch·n)) / fl
        fdn = (P1 * (nrm * ng).sum(1) - Q1 * (ch * ng).sum(1)) / fl
        dist = (q * P1[:, None] - p * Q1[:, None]) / fl[:, None] * np.where(fdn < 0, -1.0, 1.0)[:, None]
        k = np.argmax(np.abs(dist), axis=1)
        dk = dist[rows, k]
        lcp[g] = dk / fl
        other = np.max(np.where(np.sign(dist) != np.sign(dk)[:, None], np.abs(dist), -np.inf), axis=1)
        j = 15  # ~15 % of the chord above the apex
        dp, dq = (p[:, j] - p[:, j - 5])[:, None], (q[:, j] - q[:, j - 5])[:, None]
        tan = dp * ch + dq * nrm
        sigma[g] = np.degrees(np.arctan2(direction * tan[:, 0], -tan[:, 1]))
    fragile[g] = (
        (np.abs(dn) < _TIE) | ~(np.abs(fdn) >= _TIE) | (cond > _COND) | ~(np.abs(dk) - other > _TIE * np.abs(dk))
    )
    return lcp, sigma, pelvis, fragile


def contour_series(clean, direction: int, frames=None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(LCP (T,), σ (T,) deg, pelvis angle (T,) deg, upper-back angle (T,) deg) for every frame with a mask, or
    only for those among ``frames``; NaN elsewhere."""
    T = len(clean.t)
    lcp, sig, pel, upb = (np.full(T, np.nan) for _ in range(4))
    ms = clean.masks
    if ms is None or direction not in (1, -1):
        return lcp, sig, pel, upb
    idx = np.arange(T) if frames is None else np.unique(np.asarray(frames, dtype=np.int64))
    idx = idx[(idx >= 0) & (idx < min(T, len(ms.valid)))]
    idx = idx[ms.valid[idx]]
    mh_, mw_ = ms.shape
    scale = (mw_ / clean.width, mh_ / clean.height)
    MH, MS = S.mid_hip(clean.xy[idx]), S.mid_shoulder(clean.xy[idx])
    lcp[idx], sig[idx], pel[idx], upb[idx] = back_contours(ms, idx, scale, MH, MS, direction)
    return lcp, sig, pel, upb


def _contour_found(clean, direction: int, lcp: np.ndarray, done: np.ndarray, k: int = 3) -> bool:
    """True when the contour is found on ≥ ``k`` frames: the finite frames of ``lcp`` (computed on the
    frames ``done``), then the other frames with a mask, computed block by block until ``k`` are found."""
    n = int(np.isfinite(lcp).sum())
    ms = clean.masks
    if n >= k or ms is None or direction not in (1, -1):
        return n >= k
    T = min(len(lcp), len(ms.valid))
    todo = ms.valid[:T].copy()
    todo[done[done < T]] = False
    rest = np.flatnonzero(todo)
    for b in range(0, rest.size, _BLOCK):
        n += int(np.isfinite(contour_series(clean, direction, rest[b : b + _BLOCK])[0]).sum())
        if n >= k:
            return True
    return False


def contour_frames(T: int, baseline: slice | None, reps: list, bases: list[np.ndarray]) -> np.ndarray:
    """Sorted frames whose contour the hinge metrics read: the standing ``baseline`` and, per rep, its
    ``bases`` frames, the frames from the last base frame to the bottom, and the rep from start to end."""
    need = np.zeros(T, bool)
    if baseline is not None:
        need[baseline] = True
    for r, base in zip(reps, bases):
        need[r.start : r.end + 1] = True
        if base.size:
            need[base] = True
            need[int(base[-1]) + 1 : r.bottom + 1] = True
    return np.flatnonzero(need)

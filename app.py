"""hinge-analyzer — Streamlit app: upload analysis, live webcam coaching, session comparison, symptom check.

Run:  streamlit run app.py      (settings in .streamlit/config.toml; see docs/APP.md)

Page logic that does not need Streamlit lives in ``analyzer/appkit`` (tested on its own); the
analysis itself is ``analyzer.pipeline.analyze`` — the same call the CLI and batch make.
"""
from __future__ import annotations

import contextvars
import dataclasses
import json
import os
import time
from pathlib import Path

import streamlit as st

from analyzer.appkit.compare import compare_rows
from analyzer.appkit.messages import user_message
from analyzer.appkit.progress import ProgressTracker
from analyzer.appkit.results import AppResult, build_result
from analyzer.appkit.uploads import (ALLOWED_EXTENSIONS, UploadRejected, max_clip_seconds, max_upload_mb, private_copy,
                                     private_dir, safe_stem, sha256_of, validate_upload)

ROOT = Path(__file__).resolve().parent
SAMPLES_DIR = Path(os.environ.get("HINGE_SAMPLES_DIR") or ROOT / "sample_videos")
EXERCISES = ["auto", "squat", "deadlift", "rdl", "hinge", "running"]
VIEWS = ["auto", "side", "front", "back"]
MODELS = ["full", "lite", "heavy"]
SEVERITY_BADGE = {"red": ":red-badge[Fix first]", "amber": ":orange-badge[Worth fixing]", "info": ":blue-badge[Note]",
                  "positive": ":green-badge[Good]"}
MAX_SESSION_RESULTS = 6

st.set_page_config(page_title="hinge-analyzer", page_icon="🏋️", layout="wide")


# ---------------------------------------------------------------------------------------------
# Cached resources
# ---------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner="Loading the pose model…")
def model_path(variant: str) -> str:
    """Resolved and verified pose-landmarker bundle (shared by every session of this server)."""
    from analyzer import models

    return str(models.resolve(variant, progress=False))


def _available_models() -> list[str]:
    from analyzer import models

    out = []
    for v in MODELS:
        try:
            models.resolve(v, download=False, progress=False)
            out.append(v)
        except Exception:
            pass
    return out


def _run_analysis(path: str, opts: dict, label: str, progress) -> AppResult:
    from analyzer.pipeline import AnalyzeOptions, analyze

    mpath = model_path(opts["model"])
    with private_dir() as out:
        options = AnalyzeOptions(exercise=opts["exercise"], view=opts["view"], model=opts["model"], model_path=mpath,
                                 out_dir=out / "run", max_duration_s=max_clip_seconds())
        analysis = analyze(path, options, progress=progress)
        return build_result(analysis, key=f"{opts['sha'][:12]}-{opts['exercise']}-{opts['view']}-{opts['model']}",
                            label=label, options=opts)


@st.cache_data(max_entries=6, ttl=3600, show_spinner=False)
def cached_analysis(sha: str, opts_key: str, _path: str, _label: str, _progress) -> AppResult:
    """Analysis keyed by the file's SHA-256 and the options: a re-run of the same clip is instant.

    The work runs in a copy of the current context with Streamlit's "inside a cached function" flag
    cleared, so the progress-bar updates made during it are not recorded into the cache entry (they
    would otherwise be replayed on every cache hit). If that flag cannot be found (a future
    Streamlit), the run simply goes without a progress bar.
    """
    opts = json.loads(opts_key)

    def uncached():
        progress = _progress
        try:
            from streamlit.runtime.caching.cached_message_replay import in_cached_function

            in_cached_function.set(False)
        except Exception:
            progress = None
        return _run_analysis(_path, opts, _label, progress)

    return contextvars.copy_context().run(uncached)


# ---------------------------------------------------------------------------------------------
# Upload mode
# ---------------------------------------------------------------------------------------------
def _samples() -> list[str]:
    if not SAMPLES_DIR.is_dir():
        return []
    return sorted(p.name for p in SAMPLES_DIR.iterdir() if p.suffix.lower().lstrip(".") in ALLOWED_EXTENSIONS)


def _show_error(exc: BaseException) -> None:
    m = user_message(exc)
    st.error(f"**{m.title}.** {m.text}", icon="⚠️")
    st.session_state["last_error"] = m.code


def page_upload() -> None:
    st.title("Analyse a clip")
    st.write("Film from the side for hinge, squat-depth and back checks; from the front or back for knee-in checks. "
             "Keep the whole body in the frame, camera still, about hip height.")
    limit_mb, limit_s = max_upload_mb(), max_clip_seconds()
    c1, c2 = st.columns([3, 2])
    with c1:
        up = st.file_uploader(
            f"Upload a video — MP4, MOV, AVI or WebM, up to {limit_mb} MB and {limit_s:.0f} s",
            type=list(ALLOWED_EXTENSIONS), key="upload")
    with c2:
        samples = _samples()
        sample = st.selectbox("…or pick a bundled sample clip", ["(none)"] + samples, key="sample",
                              help="Synthetic clips from sample_videos/.")
    c3, c4, c5 = st.columns(3)
    exercise = c3.selectbox("Exercise", EXERCISES, index=0, key="exercise", help="auto = detected from the movement")
    view = c4.selectbox("Camera view", VIEWS, index=0, key="view", help="auto = detected from the body's orientation")
    avail = _available_models()
    model = c5.selectbox("Pose model", MODELS, index=0, key="model",
                         format_func=lambda v: v + ("" if v in avail else " (not installed)"),
                         help="full: the default balance; lite: faster, less accurate; heavy: slowest, most accurate")
    go = st.button("Analyse", type="primary", key="analyse")

    if go:
        st.session_state.pop("current", None)
        st.session_state.pop("last_error", None)
        try:
            result = _analyse_selected(up, sample, exercise, view, model)
        except Exception as exc:  # every failure becomes a message box, never a traceback
            _show_error(exc)
            return
        if result is not None:
            st.session_state["current"] = result
            store = st.session_state.setdefault("analyses", {})
            store[result.key] = dataclasses.replace(result, video=None, downloads={})
            while len(store) > MAX_SESSION_RESULTS:
                store.pop(next(iter(store)))
    cur = st.session_state.get("current")
    if cur is not None:
        show_result(cur)
    elif not go:
        st.info("Upload a clip or pick a sample, then press **Analyse**.")


def _analyse_selected(up, sample: str, exercise: str, view: str, model: str) -> AppResult | None:
    if up is None and (not sample or sample == "(none)"):
        st.warning("Choose a file to upload or a sample clip first.")
        return None
    bar = st.progress(0.0, text="Starting…")
    tracker = ProgressTracker()

    def progress(done: int, total: int) -> None:
        frac, text, refresh = tracker.update(done, total)
        if refresh:
            bar.progress(frac, text=text)

    t0 = time.perf_counter()
    try:
        if up is not None:
            ext = validate_upload(up.name, up.size)
            label = up.name  # shown to the user only; never used in a path
            sha = sha256_of(up)
            opts = {"sha": sha, "exercise": exercise, "view": view, "model": model}
            with private_copy(up, ext) as path:
                result = cached_analysis(sha, json.dumps(opts, sort_keys=True), str(path), label, progress)
        else:
            if sample not in _samples():  # the selectbox only offers these; refuse anything else
                raise UploadRejected("That sample clip is not available.")
            path = SAMPLES_DIR / sample
            sha = sha256_of(path.read_bytes())
            opts = {"sha": sha, "exercise": exercise, "view": view, "model": model}
            result = cached_analysis(sha, json.dumps(opts, sort_keys=True), str(path), sample, progress)
    finally:
        bar.empty()
    result = dataclasses.replace(result, label=up.name if up is not None else sample)
    st.session_state["last_run_s"] = time.perf_counter() - t0
    return result


def show_result(r: AppResult) -> None:
    st.header(f"Results — {r.label}")
    run_s = st.session_state.get("last_run_s")
    st.caption(f"{r.exercise} · {r.view} view ({r.view_confidence:.0%} sure) · {r.n_reps} rep(s) · "
               f"{r.duration_s:.1f} s, {r.n_frames} frames at {r.fps:.0f} fps"
               + (f" · ready in {run_s:.1f} s" if run_s is not None else ""))
    for w in r.warnings:
        st.warning(w)
    for s in r.setup_issues:
        if s["code"] == "turn_sideways":
            st.error(f"**Wrong camera view for this check.** {s['message']}", icon="📐")
        else:
            (st.error if s["severity"] == "blocking" else st.warning)(f"Setup: {s['message']}")

    left, right = st.columns([3, 2])
    with left:
        if r.video:
            st.video(r.video, format="video/mp4")
        else:
            st.info("No annotated video was produced for this run.")
    with right:
        st.subheader("Headline metrics")
        rows = []
        for h in r.headline:
            if h["status"] == "ok" and h["value"] is not None:
                val = f"{h['value']:.0f}" if h["id"] == "rep_count" else f"{h['value']:.3g}"
                if h.get("band"):
                    val += f" ± {h['band']:g}"
                val = f"{val} {h['unit'] or ''}".strip()
            else:
                val = h.get("reason") or h["status"].replace("_", " ")
            rows.append({"metric": h["label"] + (" (proxy)" if h["proxy"] else ""), "value": val})
        st.table(rows)

    st.subheader("What to work on")
    if not r.cards:
        st.success("No findings for this clip.")
    cards = [c for c in r.cards if c.category != "setup"]  # setup issues are shown above
    if r.cards and not cards:
        st.success("No technique findings for this clip; see the filming notes above.")
    for c in cards:
        with st.container(border=True):
            tc, xc = st.columns([1, 3])
            with tc:
                if c.thumbnail:
                    when = f"frame {c.frame}" + (f" · {c.times[0]:.2f} s" if c.times else "")
                    st.image(c.thumbnail, caption=when, width="stretch")
            with xc:
                st.markdown(f"**{SEVERITY_BADGE.get(c.severity, c.severity)} — {c.title}**"
                            + (" · *proxy*" if c.proxy else ""))
                st.markdown(f"> {c.cue}")
                if c.why:
                    st.write(c.why)
                if c.evidence:
                    st.caption(f"Evidence: {c.evidence}")
                if c.drills:
                    st.caption("Drills: " + "; ".join(c.drills))

    if r.per_rep:
        st.subheader("Per rep" if r.exercise != "running" else "Per stride")
        st.dataframe(r.per_rep, hide_index=True, width="stretch")

    if len(r.series) > 1:
        st.subheader("Key angles over time")
        st.caption("Shaded: reps; dotted: the bottom of each rep; dashed: rule thresholds. Degrees, near side.")
        from analyzer.appkit.charts import angle_charts

        ch = angle_charts(r.series, r.reps, r.thresholds)
        if ch is not None:
            st.altair_chart(ch, width="content")

    if r.drills:
        st.subheader("Drills")
        for d in r.drills:
            with st.expander(d.get("name", "drill")):
                st.write(d.get("how", ""))
                if d.get("dose"):
                    st.caption(f"Dose: {d['dose']}")
                if d.get("caution"):
                    st.caption(f"Caution: {d['caution']}")
    if r.not_measurable:
        with st.expander("Not measurable from this view"):
            for m in r.not_measurable:
                st.write(f"- **{m.get('label', m.get('metric'))}** — {m.get('reason')}. {m.get('why', '')}")
    for n in r.notes:
        st.caption(n)
    if r.safety_note:
        st.info(f"**Safety note.** {r.safety_note}")
    if r.disclaimer:
        st.caption(r.disclaimer)

    st.subheader("Downloads")
    stem = safe_stem(r.label)
    cols = st.columns(5)
    mimes = {"report.json": "application/json", "report.md": "text/markdown", "report.html": "text/html",
             "kinematics.csv": "text/csv"}
    for i, (name, mime) in enumerate(mimes.items()):
        if name in r.downloads:
            cols[i].download_button(name, r.downloads[name], file_name=f"{stem}_{name}", mime=mime, key=f"dl_{name}")
    if r.video:
        cols[4].download_button("annotated.mp4", r.video, file_name=f"{stem}_annotated.mp4", mime="video/mp4",
                                key="dl_video")


# ---------------------------------------------------------------------------------------------
# Compare
# ---------------------------------------------------------------------------------------------
def page_compare() -> None:
    st.title("Compare two sessions")
    store: dict = st.session_state.get("analyses", {})
    if len(store) < 2:
        st.info("Analyse at least two clips (or one clip with two settings) in this session to compare them.")
        return
    keys = list(store)
    name = lambda k: f"{store[k].label} ({store[k].exercise}, {store[k].view})"
    a = st.selectbox("Clip A", keys, index=0, format_func=name, key="cmp_a")
    b = st.selectbox("Clip B", keys, index=1, format_func=name, key="cmp_b")
    st.dataframe(compare_rows(store[a], store[b]), hide_index=True, width="stretch")
    st.caption("change = B − A, only where both clips measured the metric.")


# ---------------------------------------------------------------------------------------------
# Symptom check
# ---------------------------------------------------------------------------------------------
def page_symptoms() -> None:
    st.title("Symptom check")
    st.warning("**This is not a diagnosis.** Nerve tension cannot be seen on video; these questions only decide whether a "
               "gentle nerve-glide drill is worth trying, or whether to see a physiotherapist first.")
    try:
        from analyzer.rules.symptoms import QUESTIONS, symptom_check
    except ImportError:
        st.info("The symptom check is not available in this build.")
        return
    with st.form("symptoms"):
        answers = {}
        for q in QUESTIONS:
            a = st.radio(q.text, ["not sure", "yes", "no"], horizontal=True, key=f"sym_{q.key}")
            if a != "not sure":
                answers[q.key] = a
        sent = st.form_submit_button("Check")
    if sent:
        try:
            findings = symptom_check(answers)
        except Exception as exc:
            _show_error(exc)
            return
        if not findings:
            st.success("Nothing in your answers points to nerve-related tightness.")
        for f in findings:
            with st.container(border=True):
                st.markdown(f"**{SEVERITY_BADGE.get(f.severity, f.severity)} — {f.title}**")
                st.markdown(f"> {f.cue}")
                if f.why:
                    st.write(f.why)
                for d in f.drills:
                    st.caption(f"Drill: {d.name} — {d.how}" + (f" ({d.dose})" if d.dose else ""))


# ---------------------------------------------------------------------------------------------
# Live mode
# ---------------------------------------------------------------------------------------------
def _ice_servers() -> list[dict]:
    from analyzer.appkit.webrtc import ice_servers

    secrets = None
    try:
        secrets = dict(st.secrets) if len(st.secrets) else None
    except Exception:  # no secrets.toml: fine on localhost
        secrets = None
    return ice_servers(os.environ, secrets)


def page_live() -> None:
    st.title("Live coaching")
    st.write("Stand side-on to the camera for hinge and squat checks (or face it for knee-in checks), whole body in view. "
             "The counter starts once you have stood still for a second.")
    try:
        from streamlit_webrtc import VideoProcessorBase, WebRtcMode, webrtc_streamer
    except ImportError:
        st.error("Live mode needs streamlit-webrtc: pip install 'hinge-analyzer[app]'.")
        return
    from analyzer.appkit.webrtc import rtc_configuration
    from analyzer.live import LiveCoach, LiveSettings

    c1, c2, c3 = st.columns(3)
    exercise = c1.selectbox("Exercise", ["auto", "squat", "deadlift", "rdl", "hinge"], key="live_exercise")
    check = c2.selectbox("Check", ["side", "front"], key="live_check",
                         format_func=lambda v: {"side": "Side view: hinge, depth, trunk",
                                                "front": "Front view: knee-in"}[v])
    model = c3.selectbox("Pose model", MODELS, key="live_model")
    try:
        mpath = model_path(model)
        servers = _ice_servers()
    except Exception as exc:
        _show_error(exc)
        return
    settings = LiveSettings(exercise=exercise, check=check, model=model)

    class CoachProcessor(VideoProcessorBase):
        def __init__(self) -> None:
            self.coach = LiveCoach(settings, mpath)
            self.error: str | None = None

        def recv(self, frame):
            import av

            img = frame.to_ndarray(format="rgb24")
            t = float(frame.time) if frame.time is not None else time.monotonic()
            try:
                out, _ = self.coach.process(img, t)
            except Exception as exc:  # shown on the page; the stream keeps running
                self.error = user_message(exc).text
                out = img
            new = av.VideoFrame.from_ndarray(out, format="rgb24")
            new.pts, new.time_base = frame.pts, frame.time_base
            return new

        def on_ended(self) -> None:
            self.coach.close()

    if not servers:
        st.caption("No TURN server configured: fine on this computer (localhost). For other devices see docs/APP.md.")
    ctx = webrtc_streamer(
        key="live", mode=WebRtcMode.SENDRECV, rtc_configuration=rtc_configuration(servers),
        media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False},
        video_processor_factory=CoachProcessor, async_processing=True,
        video_html_attrs={"style": {"width": "100%", "maxHeight": "540px"}, "autoPlay": True, "controls": False,
                          "muted": True})

    status = st.empty()
    table = st.empty()
    if ctx.state.playing:
        started = time.monotonic()
        while ctx.state.playing:
            proc = ctx.video_processor
            if proc is not None:
                snap = proc.coach.snapshot()
                st.session_state["live_last"] = snap
                stalled = (snap.frames == 0 and time.monotonic() - started > 10) or \
                    (snap.wall and time.monotonic() - snap.wall > 5)
                _render_live(status, table, snap, proc.error, stalled)
            time.sleep(0.4)
    else:
        snap = st.session_state.get("live_last")
        if snap is not None:
            _render_set_summary(snap)


def _render_live(status, table, snap, error: str | None, stalled: bool) -> None:
    with status.container():
        if error:
            st.error(error)
        if stalled:
            st.warning("No frames from the camera for a few seconds: check that it is connected and not used by another app.")
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Reps (this set)", snap.rep_count)
        m2.metric("Total reps", snap.total_reps)
        m3.metric("Phase", snap.phase)
        m4.metric("Processing", f"{snap.fps:.0f} fps")
        st.markdown(f"**Now:** {snap.cue}")
        st.caption(f"Live status: total reps {snap.total_reps} · frames processed {snap.frames} · "
                   f"person in {snap.frames_with_person} · setup {snap.setup.code} · {snap.latency_ms:.0f} ms per frame")
    with table.container():
        if snap.reps:
            st.dataframe([r.row() for r in snap.reps], hide_index=True, width="stretch")
        for s in snap.sets[::-1]:
            st.info(s.summary())


def _render_set_summary(snap) -> None:
    st.subheader("Last session")
    sets = list(snap.sets)
    if snap.reps:
        from analyzer.live import LiveSet

        sets.append(LiveSet(len(sets) + 1, list(snap.reps), snap.t))
    if not sets:
        st.write("No reps were counted.")
    for s in sets:
        st.info(s.summary())
        st.dataframe([r.row() for r in s.reps], hide_index=True, width="stretch")


# ---------------------------------------------------------------------------------------------
PAGES = {"Analyse a clip": page_upload, "Live coaching": page_live, "Compare sessions": page_compare,
         "Symptom check": page_symptoms}

with st.sidebar:
    st.markdown("## hinge-analyzer")
    page = st.radio("Mode", list(PAGES), key="page")
    st.caption("Coaching, not a diagnosis. Cues come from our source documents; metrics a view cannot measure "
               "say so instead of guessing.")

try:
    PAGES[page]()
except Exception as exc:  # last line of defence: a readable message instead of a traceback
    if type(exc).__module__.startswith("streamlit"):
        raise
    _show_error(exc)

"""The live-coaching page: the webcam through WebRTC into a :class:`~analyzer.live.LiveCoach`, and its counters."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import streamlit as st

from .. import exercises as exercise_registry
from ..appkit.messages import user_message
from .common import MODEL_LABELS, MODELS, show_error


def _ice_servers() -> list[dict]:
    from analyzer.appkit.webrtc import ice_servers

    secrets = None
    try:
        secrets = dict(st.secrets) if len(st.secrets) else None
    except Exception:  # no secrets.toml: fine on localhost
        secrets = None
    return ice_servers(os.environ, secrets)


def page_live(model_path: Callable[[str], str]) -> None:
    """``model_path``: the app's cached model resolver (one verified bundle per variant)."""
    st.title("Live coaching")
    st.write(
        "Stand side-on to the camera for hinge and squat checks (or face it for knee-in checks), whole body in view. "
        "The counter starts once you have stood still for a second."
    )
    try:
        from streamlit_webrtc import VideoProcessorBase, WebRtcMode, webrtc_streamer
    except ImportError:
        st.error("Live mode needs streamlit-webrtc: pip install 'hinge-analyzer[app]'.")
        return
    from analyzer.appkit.webrtc import rtc_configuration
    from analyzer.live.coach import LiveCoach, LiveSettings

    c1, c2, c3 = st.columns(3)
    exercise = c1.selectbox(
        "Exercise",
        ["auto", *(e for e in exercise_registry.NAMES if exercise_registry.EXERCISES[e].live_checks)],
        key="live_exercise",
        format_func=lambda v: "Detect automatically" if v == "auto" else exercise_registry.EXERCISES[v].label,
    )
    check = c2.selectbox(
        "Check",
        ["side", "front"],
        key="live_check",
        format_func=lambda v: {"side": "Side view: hinge, depth, trunk", "front": "Front view: knee-in"}[v],
    )
    model = c3.selectbox("Pose model", MODELS, key="live_model", format_func=lambda v: MODEL_LABELS.get(v, v))
    try:
        mpath = model_path(model)
        servers = _ice_servers()
    except Exception as exc:
        show_error(exc)
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

    # the video on the left, the counters and the cue beside it: readable mid-set without scrolling
    video_col, info_col = st.columns([3, 2])
    status = info_col.empty()
    if not servers:
        info_col.caption(
            "No TURN server configured: fine on this computer (localhost). For other devices see docs/APP.md."
        )
    with video_col:
        ctx = webrtc_streamer(
            key="live",
            mode=WebRtcMode.SENDRECV,
            rtc_configuration=rtc_configuration(servers),
            media_stream_constraints={"video": {"width": {"ideal": 640}, "height": {"ideal": 480}}, "audio": False},
            video_processor_factory=CoachProcessor,
            async_processing=True,
            video_html_attrs={
                "style": {"width": "100%", "maxHeight": "400px"},
                "autoPlay": True,
                "controls": False,
                "muted": True,
            },
        )
    table = st.empty()
    if ctx.state.playing:
        started = time.monotonic()
        while ctx.state.playing:
            proc = ctx.video_processor
            if proc is not None:
                snap = proc.coach.snapshot()
                st.session_state["live_last"] = (snap, check)
                stalled = (snap.frames == 0 and time.monotonic() - started > 10) or bool(
                    snap.wall and time.monotonic() - snap.wall > 5
                )
                _render_live(status, table, snap, proc.error, stalled, check)
            time.sleep(0.4)
    else:
        status.caption("Press Start and allow the camera: the rep count and your cue appear here.")
        last = st.session_state.get("live_last")
        if last is not None:
            _render_set_summary(*last)


def _render_live(status, table, snap, error: str | None, stalled: bool, check: str) -> None:
    from analyzer.live.state import rep_rows

    with status.container():
        if error:
            st.error(error)
        if stalled:
            st.warning(
                "No frames from the camera for a few seconds: check that it is connected and not used by another app."
            )
        m1, m2 = st.columns(2)
        m1.metric(f"Reps in set {snap.set_number}", snap.rep_count)
        m2.metric("Total reps", snap.total_reps)
        m3, m4 = st.columns(2)
        m3.metric("Phase", snap.phase_label())
        m4.metric("Processing", f"{snap.fps:.0f} fps")
        st.markdown(f"#### Now: {snap.cue_text()}")
        st.caption(
            f"Live status: total reps {snap.total_reps} · frames processed {snap.frames} · "
            f"person in view in {snap.frames_with_person} · {snap.setup_text()} · "
            f"{snap.latency_ms:.0f} ms per frame"
        )
    with table.container():
        if snap.reps:
            st.dataframe(rep_rows(snap.reps, check), hide_index=True, width="stretch")
        for s in snap.sets[::-1]:
            st.info(s.summary())


def _render_set_summary(snap, check: str) -> None:
    from analyzer.live.state import rep_rows

    st.subheader("Last session")
    sets = list(snap.sets)
    if snap.reps:
        from analyzer.live.coach import LiveSet

        sets.append(LiveSet(len(sets) + 1, list(snap.reps), snap.t))
    if not sets:
        st.write("No reps were counted.")
    for s in sets:
        st.info(s.summary())
        st.dataframe(rep_rows(s.reps, check), hide_index=True, width="stretch")

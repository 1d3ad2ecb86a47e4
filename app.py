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

from analyzer import exercises as exercise_registry
from analyzer.appkit.progress import ProgressTracker
from analyzer.appkit.results import AppResult, build_result
from analyzer.appkit.uploads import (
    ALLOWED_EXTENSIONS,
    UploadRejected,
    max_clip_seconds,
    max_upload_mb,
    private_copy,
    private_dir,
    sha256_of,
    validate_upload,
)
from analyzer.ui.common import MODEL_LABELS, MODELS, show_error
from analyzer.ui.live_page import page_live
from analyzer.ui.other_pages import page_compare, page_symptoms
from analyzer.ui.results_view import show_result

ROOT = Path(__file__).resolve().parent
SAMPLES_DIR = Path(os.environ.get("HINGE_SAMPLES_DIR") or ROOT / "sample_videos")
EXERCISES = exercise_registry.choices()
VIEWS = ["auto", *(v for v in exercise_registry.VIEWS if v != "oblique")]
MAX_SESSION_RESULTS = 6

st.set_page_config(page_title="hinge-analyzer", page_icon="🏋️", layout="wide")


# ---------------------------------------------------------------------------------------------
# Cached resources
# ---------------------------------------------------------------------------------------------
@st.cache_resource(show_spinner="Loading the pose model…")
def model_path(variant: str) -> str:
    """Resolved and verified pose-landmarker bundle (shared by every session of this server)."""
    from analyzer.capture import models

    return str(models.resolve(variant, progress=False))


def _available_models() -> list[str]:
    from analyzer.capture import models

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
        options = AnalyzeOptions(
            exercise=opts["exercise"],
            view=opts["view"],
            model=opts["model"],
            model_path=mpath,
            out_dir=out / "run",
            max_duration_s=max_clip_seconds(),
            person=opts.get("person"),
            display_name=label,
        )
        analysis = analyze(path, options, progress=progress)
        return build_result(
            analysis,
            key=f"{opts['sha'][:12]}-{opts['exercise']}-{opts['view']}-{opts['model']}-{opts.get('person') or 'auto'}",
            label=label,
            options=opts,
        )


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
            from streamlit.runtime.caching.cached_message_replay import (
                in_cached_function,
            )

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


def page_upload() -> None:
    st.title("Analyse a clip")
    st.write(
        "Film from the side for hinge, squat-depth and back checks; from the front or back for knee-in checks. "
        "Keep the whole body in the frame, camera still, about hip height."
    )
    limit_mb, limit_s = max_upload_mb(), max_clip_seconds()
    c1, c2 = st.columns([3, 2])
    with c1:
        up = st.file_uploader(
            f"Upload a video — MP4, MOV, AVI or WebM, up to {limit_mb} MB and {limit_s:.0f} s",
            type=list(ALLOWED_EXTENSIONS),
            key="upload",
        )
    with c2:
        samples = _samples()
        sample = st.selectbox(
            "…or pick a bundled sample clip",
            ["(none)"] + samples,
            key="sample",
            help="Synthetic clips from sample_videos/.",
        )
    c3, c4, c5 = st.columns(3)
    exercise = c3.selectbox(
        "Exercise",
        EXERCISES,
        index=0,
        key="exercise",
        format_func=lambda v: "Detect automatically" if v == "auto" else exercise_registry.EXERCISES[v].label,
        help="Detect automatically: read from the movement.",
    )
    view = c4.selectbox(
        "Camera view",
        VIEWS,
        index=0,
        key="view",
        format_func=lambda v: "Detect automatically" if v == "auto" else f"From the {v}",
        help="Detect automatically: read from how the body faces the camera.",
    )
    avail = _available_models()
    model = c5.selectbox(
        "Pose model",
        MODELS,
        index=0,
        key="model",
        format_func=lambda v: MODEL_LABELS.get(v, v) + ("" if v in avail else " (not installed)"),
        help="Standard: the default balance; fast: quicker, less accurate; most accurate: slowest.",
    )
    person = _person_picker(up, sample, model)
    go = st.button("Analyse", type="primary", key="analyse")

    if go:
        st.session_state.pop("current", None)
        st.session_state.pop("last_error", None)
        try:
            result = _analyse_selected(up, sample, exercise, view, model, person)
        except Exception as exc:  # every failure becomes a message box, never a traceback
            show_error(exc)
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


def _analyse_selected(
    up, sample: str, exercise: str, view: str, model: str, person: int | None = None
) -> AppResult | None:
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
            opts = {"sha": sha, "exercise": exercise, "view": view, "model": model} | _person_opt(person)
            with private_copy(up, ext) as path:
                result = cached_analysis(sha, json.dumps(opts, sort_keys=True), str(path), label, progress)
        else:
            if sample not in _samples():  # the selectbox only offers these; refuse anything else
                raise UploadRejected("That sample clip is not available.")
            path = SAMPLES_DIR / sample
            sha = sha256_of(path.read_bytes())
            opts = {"sha": sha, "exercise": exercise, "view": view, "model": model} | _person_opt(person)
            result = cached_analysis(sha, json.dumps(opts, sort_keys=True), str(path), sample, progress)
    finally:
        bar.empty()
    result = dataclasses.replace(result, label=up.name if up is not None else sample)
    st.session_state["last_run_s"] = time.perf_counter() - t0
    return result


def _person_opt(person: int | None) -> dict:
    return {"person": person} if person else {}  # no key at all for "automatic": earlier cache keys still hold


def _person_picker(up, sample: str, model: str) -> int | None:
    """An expander that finds everyone in the chosen clip and lets the user pick who to analyse."""
    from analyzer.appkit.people import people_preview, person_label

    src = f"{up.name}:{up.size}" if up is not None else sample
    found = st.session_state.get("people_found")
    if found is not None and found.get("src") != src:
        found = None
        st.session_state.pop("people_found", None)
    with st.expander("Several people in the clip? Choose who to analyse"):
        if st.button("Find the people in this clip", key="find_people"):
            if up is None and (not sample or sample == "(none)"):
                st.warning("Choose a file to upload or a sample clip first.")
                return None
            try:
                with st.spinner("Looking for people through the whole clip…"):
                    if up is not None:
                        with private_copy(up, validate_upload(up.name, up.size)) as path:
                            found = people_preview(path, model_path(model))
                    else:
                        if sample not in _samples():  # only the offered samples, never another path
                            raise UploadRejected("That sample clip is not available.")
                        found = people_preview(SAMPLES_DIR / sample, model_path(model))
            except Exception as exc:
                show_error(exc)
                return None
            found["src"] = src
            st.session_state["people_found"] = found
        if not found:
            st.caption("By default the analysis follows the person who moves through the clip.")
            return None
        if found["image"]:
            st.image(found["image"], caption="Everyone found in the clip, numbered", width=320)
        for line in found["lines"]:
            st.caption(line.strip())
        rows = found["rows"]
        k = st.selectbox(
            "Person to analyse",
            [0, *(r["person"] for r in rows)],
            format_func=lambda k: person_label(k, rows),
            key="person_pick",
        )
        return int(k) or None


# ---------------------------------------------------------------------------------------------
# Compare
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Symptom check
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
# Live mode
# ---------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------
PAGES = {
    "Analyse a clip": page_upload,
    "Live coaching": lambda: page_live(model_path),
    "Compare sessions": page_compare,
    "Symptom check": page_symptoms,
}

with st.sidebar:
    st.markdown("## hinge-analyzer")
    page = st.radio("Mode", list(PAGES), key="page")
    st.caption(
        "Coaching, not a diagnosis. Cues come from our source documents; metrics a view cannot measure "
        "say so instead of guessing."
    )

try:
    PAGES[page]()
except Exception as exc:  # last line of defence: a readable message instead of a traceback
    if type(exc).__module__.startswith("streamlit"):
        raise
    show_error(exc)

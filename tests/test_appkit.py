"""Page logic of the app that needs no Streamlit: upload safety, progress text, results, charts, compare, ICE config."""

from __future__ import annotations

import io
import json
import os
import stat
import tempfile
from pathlib import Path

import numpy as np
import pytest

from analyzer.appkit import uploads as U
from analyzer.appkit.compare import compare_rows
from analyzer.appkit.messages import user_message
from analyzer.appkit.progress import ProgressTracker, format_eta
from analyzer.appkit.results import AppResult, Card, series_for_chart
from analyzer.appkit.webrtc import ice_servers, rtc_configuration
from analyzer.errors import ClipTooLongError, NoPersonError


# -- uploads ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name,ext", [("squat.MP4", "mp4"), ("a.b.mov", "mov"), ("x.avi", "avi"), ("clip.webm", "webm")]
)
def test_allowed_extensions(name, ext):
    assert U.validate_upload(name, 10) == ext


@pytest.mark.parametrize("name", ["notes.txt", "photo.png", "noext", "", None, "../../etc/passwd", "clip.mp4.exe"])
def test_other_types_are_rejected(name):
    with pytest.raises(U.UploadRejected, match="Only MP4, MOV, AVI, WEBM"):
        U.validate_upload(name, 10)


def test_size_limit_and_empty_file():
    with pytest.raises(U.UploadRejected, match="limit here is 1 MB"):
        U.validate_upload("a.mp4", 2 * 1024 * 1024, limit_mb=1)
    with pytest.raises(U.UploadRejected, match="empty"):
        U.validate_upload("a.mp4", 0)
    assert U.validate_upload("a.mp4", 1024 * 1024, limit_mb=1) == "mp4"


def test_limits_from_environment(monkeypatch):
    monkeypatch.setenv(U.ENV_MAX_MB, "7")
    monkeypatch.setenv(U.ENV_MAX_SECONDS, "30")
    assert U.max_upload_mb() == 7 and U.max_clip_seconds() == 30.0
    monkeypatch.setenv(U.ENV_MAX_MB, "junk")
    assert U.max_upload_mb() == U.DEFAULT_MAX_MB


def test_private_copy_is_0600_random_named_and_deleted():
    payload = b"\x00\x01video-bytes" * 100
    with U.private_copy(io.BytesIO(payload), "mp4") as p:
        assert p.read_bytes() == payload
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
        assert p.parent == Path(tempfile.gettempdir())
        assert p.suffix == ".mp4" and p.name.startswith("hinge-upload-")
        kept = p
    assert not kept.exists()


def test_private_copy_is_deleted_on_error_and_enforces_the_limit():
    with pytest.raises(RuntimeError):
        with U.private_copy(b"abc", "webm") as p:
            kept = p
            raise RuntimeError("analysis failed")
    assert not kept.exists()
    before = set(Path(tempfile.gettempdir()).glob("hinge-upload-*"))
    with pytest.raises(U.UploadRejected):
        with U.private_copy(io.BytesIO(b"x" * (1024 * 1024 + 1)), "mp4", limit_mb=1):
            pass
    assert set(Path(tempfile.gettempdir()).glob("hinge-upload-*")) == before
    with pytest.raises(U.UploadRejected):
        with U.private_copy(b"x", "sh"):
            pass


def test_private_dir_is_0700_and_removed():
    with U.private_dir() as d:
        (d / "out").mkdir()
        assert stat.S_IMODE(d.stat().st_mode) == 0o700
    assert not d.exists()


@pytest.mark.parametrize(
    "name,stem",
    [
        ("My Squat (1).mp4", "My_Squat_1"),
        ("../../etc/passwd.mp4", "passwd"),
        ("ünïcode.mov", "n_code"),
        ("....mp4", "clip"),
        (None, "clip"),
    ],
)
def test_safe_stem(name, stem):
    assert U.safe_stem(name) == stem


def test_sha256_of_bytes_and_file_like_agree():
    data = os.urandom(3000)
    f = io.BytesIO(data)
    f.seek(100)
    assert U.sha256_of(data) == U.sha256_of(f)
    assert f.tell() == 100


# -- progress / messages ----------------------------------------------------------------------
def test_progress_text_has_frames_and_eta():
    now = [0.0]
    tr = ProgressTracker(min_interval=0.0, clock=lambda: now[0])
    tr.update(0, 300)
    now[0] = 2.0
    frac, text, refresh = tr.update(60, 300)
    assert frac == pytest.approx(0.2) and refresh
    assert "frame 60 of 300" in text and "30.0 frames/s" in text and "8 s left" in text
    assert format_eta(125) == "2 min 05 s" and format_eta(float("nan")) == "estimating…"


def test_progress_throttles_refreshes():
    now = [0.0]
    tr = ProgressTracker(min_interval=1.0, clock=lambda: now[0])
    assert tr.update(1, 10)[2]
    now[0] = 0.5
    assert not tr.update(2, 10)[2]
    assert tr.update(10, 10)[2]  # the last frame always refreshes


def test_user_messages_never_leak_tracebacks():
    m = user_message(NoPersonError("No person was found in this clip."))
    assert m.code == "no_person" and m.title == "No person found" and "No person" in m.text
    m = user_message(ClipTooLongError("The clip is 300 s long."))
    assert m.title == "This clip is too long"
    m = user_message(KeyError("secret internals"))
    assert m.code == "internal_error" and "secret internals" not in m.text and "KeyError" not in m.text
    assert "stopped unexpectedly" in m.text  # a plain sentence: no exception class names


# -- ICE / TURN -------------------------------------------------------------------------------
def test_ice_servers_default_to_none_on_localhost():
    assert ice_servers({}, None) == []
    assert rtc_configuration([]) == {"iceServers": []}


def test_ice_servers_from_env_and_secrets():
    env = {
        "HINGE_TURN_URL": "turn:turn.example.org:3478, turns:turn.example.org:5349",
        "HINGE_TURN_USERNAME": "u",
        "HINGE_TURN_CREDENTIAL": "p",
    }
    assert ice_servers(env) == [
        {"urls": ["turn:turn.example.org:3478", "turns:turn.example.org:5349"], "username": "u", "credential": "p"}
    ]
    js = [{"urls": ["turn:a:3478"], "username": "x", "credential": "y"}]
    assert ice_servers({"HINGE_ICE_SERVERS": json.dumps(js)}) == js
    assert ice_servers({}, {"webrtc": {"ice_servers": js}}) == js
    with pytest.raises(ValueError, match="not valid JSON"):
        ice_servers({"HINGE_ICE_SERVERS": "[{"})
    with pytest.raises(ValueError, match="urls"):
        ice_servers({"HINGE_ICE_SERVERS": "[{}]"})


# -- results / charts / compare ----------------------------------------------------------------
def _result(key, reps, knee, cards=()):
    head = [
        {
            "id": "rep_count",
            "label": "Reps counted",
            "value": float(reps),
            "unit": "reps",
            "status": "ok",
            "reason": None,
            "proxy": False,
            "band": None,
        },
        {
            "id": "knee_flexion_peak",
            "label": "Peak knee flexion",
            "value": knee,
            "unit": "deg",
            "status": "ok" if knee is not None else "not_measurable",
            "reason": None if knee is not None else "not measurable from this view",
            "proxy": False,
            "band": 6.0,
        },
    ]
    return AppResult(
        key=key,
        label=key,
        options={},
        exercise="squat",
        view="side",
        view_confidence=1.0,
        reps=[{"rep": 1, "t_start": 1.0, "t_bottom": 1.5, "t_end": 2.0, "valid": True}],
        setup_issues=[],
        cards=list(cards),
        per_rep=[],
        drills=[],
        safety_note="",
        disclaimer="",
        notes=[],
        not_measurable=[],
        headline=head,
        series={"t": [0.0, 0.1], "knee_flexion_near": [1.0, None]},
        thresholds=[],
        warnings=[],
        unchecked=None,
        timings={},
        duration_s=3.0,
        n_frames=90,
        fps=30.0,
    )


def test_compare_rows_side_by_side():
    red = Card("r", "red", "technique", "t", "c", "w", "e")
    rows = compare_rows(_result("A", 3, 100.0, [red]), _result("B", 5, 112.5))
    by = {r["Measure"]: r for r in rows}
    assert by["Reps counted"]["Clip A"] == "3 reps" and by["Reps counted"]["Clip B"] == "5 reps"
    assert by["Reps counted"]["Change (B − A)"] == "+2 reps"
    assert by["Peak knee flexion"]["Change (B − A)"] == "+12°"  # the registry's symbol and precision
    assert by["Peak knee flexion"]["Clip A"] == "100°"
    assert by["Exercise and view"]["Clip A"] == "Squat, side view"
    fix = by["Findings to fix first / worth fixing"]
    assert fix["Clip A"] == "1 / 0" and fix["Clip B"] == "0 / 0"
    rows = compare_rows(_result("A", 3, 112.5), _result("B", 3, 100.0))
    assert next(r for r in rows if r["Measure"] == "Peak knee flexion")["Change (B − A)"] == "\u221212°"
    rows = compare_rows(_result("A", 3, 100.0), _result("B", 3, None))
    knee = next(r for r in rows if r["Measure"] == "Peak knee flexion")
    assert knee["Clip B"] == "not measurable from this view" and knee["Change (B − A)"] == ""


def test_series_for_chart_picks_view_columns_and_drops_nan():
    t = np.arange(10) / 10
    kin = {
        c: np.linspace(0, 90, 10)
        for c in ("knee_flexion_near", "hip_flexion_near", "trunk_angle", "knee_flexion_left", "knee_flexion_right")
    }
    kin["trunk_angle"][:] = np.nan
    side = series_for_chart(kin, t, "side")
    assert "knee_flexion_near" in side and "trunk_angle" not in side and "knee_flexion_left" not in side
    front = series_for_chart(kin, t, "front")
    assert "knee_flexion_left" in front and "knee_flexion_near" not in front
    dec = series_for_chart({"knee_flexion_near": np.zeros(5000)}, np.arange(5000) / 100, "side", max_points=1000)
    assert len(dec["t"]) == len(dec["knee_flexion_near"]) == 1000
    assert side["t"][0] == 0.0 and len(side["t"]) == 10


def test_angle_charts_build_a_vega_lite_spec():
    pytest.importorskip("altair")
    from analyzer.appkit.charts import angle_charts

    series = {"t": [0.0, 0.5, 1.0, 1.5], "knee_flexion_near": [0.0, 60.0, 110.0, 5.0]}
    reps = [{"rep": 1, "t_start": 0.2, "t_bottom": 1.0, "t_end": 1.5, "valid": True}]
    th = [{"series": "knee_flexion_near", "value": 90.0, "severity": "amber", "rule": "x", "comparator": "<"}]
    spec = angle_charts(series, reps, th).to_dict()
    text = json.dumps(spec)
    assert "vconcat" in spec and "rect" in text and "rule" in text and "Knee bend (near side)" in text
    assert '"value": 90.0' in text

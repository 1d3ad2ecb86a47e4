"""Who the analysis follows: people linked over the clip, the subject chosen from the whole clip, ``--person``."""

from __future__ import annotations

import numpy as np
import pytest

from analyzer.report.render import subject_caption
from analyzer.track.people import Person, choose, link, parse_person, person_at, subject_score
from analyzer.track.settings import PoseSettings
from analyzer.track.subject import SubjectChoice


def _box(cx: float, top: float, h: float, w: float = 0.2) -> tuple[float, float, float, float]:
    return (cx - w / 2, top, cx + w / 2, top + h)


def _samples(n: int = 12):
    """A squatter in the middle (box top bobbing by a third of its height), a seated bystander at the left
    (still, small) and a mirror reflection at the right for half the clip (moving, smaller)."""
    out = []
    for k in range(n):
        t = 0.5 * k
        dip = 0.15 * (1 - np.cos(2 * np.pi * k / 4)) / 2 * 2
        boxes = [_box(0.5, 0.2 + dip, 0.6 - dip), _box(0.1, 0.7, 0.12, 0.1)]
        if k % 2 == 0:
            boxes.append(_box(0.85, 0.35 + dip / 3, 0.3 - dip / 3, 0.1))
        out.append((t, boxes))
    return out


def test_boxes_link_into_one_person_each_and_are_numbered_left_to_right_at_the_start():
    people = link(_samples())
    assert len(people) == 3
    assert [round(p.box_at(0.0)[0], 2) for p in people] == sorted(round(p.box_at(0.0)[0], 2) for p in people)
    assert [len(p.boxes) for p in people] == [12, 12, 6]


def test_the_subject_is_the_present_moving_large_person_not_the_bystander_or_the_reflection():
    people = link(_samples())
    chosen = choose(people, 12)
    assert chosen is not None and abs(chosen.centre(0.0)[0] - 0.5) < 0.01
    # a poster the same size as the lifter but never moving loses to the lifter
    assert subject_score(1.0, 0.0, 0.6) < subject_score(1.0, 0.5, 0.6)


def test_a_point_picks_the_person_whose_box_holds_it():
    people = link(_samples())
    p = person_at(people, 0.1, 0.75)
    assert p is not None and p.centre(0.0)[0] == pytest.approx(0.1)
    assert person_at(people, 0.99, 0.01) is not None  # nobody there: the nearest person


def test_person_option_parses_numbers_and_points_and_explains_mistakes():
    assert parse_person("2") == 2
    assert parse_person("540,960") == (540.0, 960.0)
    assert parse_person(None) is None
    for bad in ("0", "abc", "1,2,3", "-1"):
        with pytest.raises(ValueError, match="people list"):
            parse_person(bad)


def test_a_chosen_person_enters_the_cache_key_and_the_default_key_is_unchanged():
    base = PoseSettings()
    assert "person" not in base.key()
    chosen = PoseSettings(person=(0.0, 0.2, 0.5))
    assert chosen.key() != base.key() and not chosen.adaptive


def test_the_report_says_who_was_followed_in_words():
    assert "largest, most central" in (subject_caption(SubjectChoice().to_json()) or "")
    sw = SubjectChoice("whole clip", (1.0, 0.5, 0.5), 2, 3).to_json()
    assert "person 2 of 3" in (subject_caption(sw) or "") and "--person" in (subject_caption(sw) or "")
    assert subject_caption(None) is None


def test_a_person_is_never_split_by_a_missing_moment():
    samples = _samples(6)
    samples[2] = (samples[2][0], [])  # nobody detected at one moment
    people = link(samples)
    assert len([p for p in people if abs(p.centre(p.first_t)[0] - 0.5) < 0.05]) == 1
    assert isinstance(people[0], Person)


def test_people_command_lists_the_sample_lifter_and_analyze_follows_the_person_chosen(
    model_path, side_sample, tmp_path, capsys
):
    import json

    from analyzer.cli import main

    assert main(["people", str(side_sample), "--image", str(tmp_path / "people.jpg")]) == 0
    out = capsys.readouterr().out
    assert "1 person seen" in out and "analysed by default" in out and (tmp_path / "people.jpg").stat().st_size > 0
    assert main(["analyze", str(side_sample), "--person", "1", "--no-video", "-q", "-o", str(tmp_path / "r")]) == 0
    rep = json.loads((tmp_path / "r" / "report.json").read_text())
    assert rep["run"]["subject"]["how"] == "--person" and rep["run"]["subject"]["person"] == 1
    assert rep["quality"]["detection_rate"] > 0.9  # the person chosen is the lifter, found from the start
    assert (tmp_path / "r" / "subject.jpg").stat().st_size > 1000
    assert "![The person analysed" in (tmp_path / "r" / "report.md").read_text()
    assert main(["analyze", str(side_sample), "--person", "2", "--no-video", "-q", "-o", str(tmp_path / "x")]) == 2
    assert "has 1 person" in capsys.readouterr().err and not (tmp_path / "x").exists()


def test_usage_mistakes_print_the_usage_and_exit_2(side_sample, capsys):
    from analyzer.cli import main

    assert main(["analyze"]) == 2
    assert main(["analyze", str(side_sample), "--person", "abc"]) == 2
    err = capsys.readouterr().err
    assert "Usage:" in err and "--person" in err and "internal error" not in err


@pytest.mark.parametrize("command", [[], ["analyze"], ["people"], ["batch"], ["models", "fetch"], ["bench"]])
def test_help_reads_at_80_columns_without_type_tags(command, capsys, monkeypatch):
    """--help fits an 80-column terminal, and flags and values read as words (VIDEO, FOLDER), not <bool>/<str>."""
    from analyzer.cli import main

    monkeypatch.setenv("COLUMNS", "80")
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage:" in out and "--help" in out
    lines = out.splitlines()
    assert max(map(len, lines)) <= 80, max(lines, key=len)
    for tag in ("<bool>", "<str>", "<int>"):
        assert tag not in out, f"{tag} in `{' '.join(command)} --help`"

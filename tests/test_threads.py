"""Helper threads of the pose pass yield to the model: lower nice value and SCHED_BATCH, for that thread only."""

import os
import threading

import pytest

from analyzer.threads import HELPER_NICE, lower_priority

pytestmark = pytest.mark.skipif(not hasattr(os, "SCHED_BATCH"), reason="per-thread scheduling policy is Linux-only")


def _in_thread(fn):
    out = {}

    def run():
        out["value"] = fn()

    th = threading.Thread(target=run)
    th.start()
    th.join()
    return out["value"]


def test_helper_thread_gets_batch_policy_and_lower_priority():
    def helper():
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid)
        lower_priority()
        return before, os.getpriority(os.PRIO_PROCESS, tid), os.sched_getscheduler(tid)

    before, after, policy = _in_thread(helper)
    assert after == min(19, before + HELPER_NICE)
    assert policy == os.SCHED_BATCH


def test_other_threads_keep_their_priority():
    tid = threading.get_native_id()
    nice, policy = os.getpriority(os.PRIO_PROCESS, tid), os.sched_getscheduler(tid)
    _in_thread(lower_priority)
    assert os.getpriority(os.PRIO_PROCESS, tid) == nice
    assert os.sched_getscheduler(tid) == policy


def test_zero_increment_changes_nothing():
    def helper():
        tid = threading.get_native_id()
        before = os.getpriority(os.PRIO_PROCESS, tid), os.sched_getscheduler(tid)
        lower_priority(0)
        return before, (os.getpriority(os.PRIO_PROCESS, tid), os.sched_getscheduler(tid))

    before, after = _in_thread(helper)
    assert after == before

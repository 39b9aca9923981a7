"""Choosing between ways to run call by call: the fastest is used, the others tried now and then, and a sudden
slowdown is left at once."""

import math

import pytest

from inspiration.engine.model.thread_choice import GIVE_UP_RATIO, PROBE_EVERY, PROBE_FRAMES, ThreadChoice


def run(choice: ThreadChoice, seconds: dict[int, float], frames: int) -> list[int]:
    """Threads used per frame when a frame on n threads takes seconds[n], in calls of one frame when trying and of
    four otherwise."""
    used: list = []
    while len(used) < frames:
        count = 1 if choice.trying else 4
        used += [choice.option] * count
        choice.record(seconds[choice.option] * count, count)
    return used


def test_both_options_are_timed_then_the_faster_is_used_and_the_other_tried_now_and_then():
    choice = ThreadChoice((1, 2))
    used = run(choice, {1: 2.0, 2: 1.0}, 2000)
    assert used[0] == 1 and 2 in used[: 4 + PROBE_FRAMES]  # both timed at the start
    assert used.count(2) > 0.9 * len(used)
    tries = [i for i in range(1, len(used)) if used[i] == 1 and used[i - 1] == 2]
    assert len(tries) >= len(used) // (PROBE_EVERY + PROBE_FRAMES) - 1  # the slower is still tried now and then
    assert choice.seconds_per_frame(2) == pytest.approx(1.0) and choice.seconds_per_frame(1) == pytest.approx(2.0)


def test_a_team_slowed_down_by_another_program_is_left_at_once_and_taken_back_when_it_is_fast_again():
    choice = ThreadChoice((1, 2))
    run(choice, {1: 2.0, 2: 1.0}, 100)
    assert choice.option == 2
    choice.record(2.0 * GIVE_UP_RATIO + 1)  # a frame far slower than one thread's average
    assert choice.option == 1
    used = run(choice, {1: 2.0, 2: 8.0}, 1000)  # the machine stays busy: the team is only tried, a frame at a time
    assert used.count(1) > 0.98 * len(used)
    used = run(choice, {1: 2.0, 2: 1.0}, 1000)  # and idle again
    assert used[-200:].count(2) > 190


def test_nonsense_timings_are_ignored_and_the_options_checked():
    choice = ThreadChoice((1, 4))
    for bad in (math.nan, math.inf, -1.0):
        choice.record(bad)
    assert choice.seconds_per_frame(1) == math.inf and choice.option == 1
    for bad in ((2, 2), (1,)):
        with pytest.raises(ValueError):
            ThreadChoice(bad)


def test_of_three_options_the_fastest_is_found_and_every_other_still_tried():
    choice = ThreadChoice((1, 2, "pipeline"))
    used = run(choice, {1: 3.0, 2: 2.0, "pipeline": 1.0}, 3000)
    assert set(used[:20]) == {1, 2, "pipeline"}  # each timed at the start
    assert used[-1000:].count("pipeline") > 950
    assert used[-1000:].count(1) >= 2 and used[-1000:].count(2) >= 2  # both others tried in turn

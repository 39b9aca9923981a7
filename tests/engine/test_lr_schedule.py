"""The learning-rate schedule: warm-up, cosine decay to the budget, and what a resume with a new budget does."""

import math

import pytest

from inspiration.engine.model.train_config import TrainConfig
from inspiration.engine.training.schedule import LRSchedule, new_schedule, resumed_schedule


def config(**settings) -> TrainConfig:
    return TrainConfig(**{"warmup_steps": 100, "final_lr_fraction": 0.1, **settings})


def factors(schedule: LRSchedule, steps: range, seconds_per_step: float = 0.0) -> list[float]:
    return [schedule.factor(step, step * seconds_per_step) for step in steps]


def test_a_step_budget_warms_up_linearly_then_falls_along_a_cosine_to_the_final_share():
    schedule = new_schedule(config(steps=10_000))
    assert schedule.factor(0, 0.0) == pytest.approx(0.01) and schedule.factor(49, 0.0) == pytest.approx(0.5, abs=0.01)
    assert schedule.factor(99, 0.0) == pytest.approx(1.0, abs=0.01)
    assert schedule.factor(5_000, 0.0) == pytest.approx(0.55)  # halfway: halfway between 1 and 0.1
    assert schedule.factor(10_000, 0.0) == pytest.approx(0.1) and schedule.factor(20_000, 0.0) == pytest.approx(0.1)
    after_warmup = factors(schedule, range(100, 10_001))
    assert all(b <= a for a, b in zip(after_warmup, after_warmup[1:]))


def test_the_warm_up_takes_at_most_five_percent_of_the_budget():
    assert new_schedule(config(steps=400)).warmup_steps == 20
    assert new_schedule(config(steps=1)).warmup_steps == 1
    hours = new_schedule(config(steps=None, hours=1.0))  # ends after 100 steps or 180 s, whichever is first
    assert hours.warmup_seconds == pytest.approx(180.0)
    assert hours.warmup(9, 180.0) == 1.0 and hours.warmup(9, 90.0) == pytest.approx(0.5)
    assert hours.warmup(99, 1.0) == 1.0 and hours.warmup(49, 1.0) == pytest.approx(0.5)
    assert new_schedule(config(warmup_steps=0)).factor(0, 0.0) == 1.0


def test_an_hours_budget_follows_training_time():
    schedule = new_schedule(config(steps=None, hours=1.0, warmup_steps=0))
    assert schedule.unit == "seconds"
    assert schedule.factor(10, 1800.0) == pytest.approx(0.55) and schedule.factor(10, 3600.0) == pytest.approx(0.1)


def test_a_run_without_a_budget_warms_up_then_keeps_its_rate():
    schedule = new_schedule(config(steps=None, hours=None))
    assert schedule.factor(49, 0.0) == pytest.approx(0.5) and schedule.factor(10**9, 1e9) == 1.0


def test_an_unchanged_budget_resumes_the_very_same_schedule():
    schedule = new_schedule(config(steps=1000))
    again = resumed_schedule(LRSchedule.from_dict(schedule.to_dict()), config(steps=1000), 400, 123.0)
    assert again == schedule


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"steps": 1000}, {"steps": 3000}),  # raised
        ({"steps": 3000}, {"steps": 1500}),  # lowered
        ({"steps": 1000}, {"steps": None, "hours": 1.0}),  # steps for hours (here 1 step = 1 s)
        ({"steps": None, "hours": 0.25}, {"steps": None, "hours": 0.5}),  # extended
        ({"steps": 1000}, {"steps": None, "hours": None}),  # open-ended from here
        ({"steps": 1000, "final_lr_fraction": 0.1}, {"steps": 1000, "final_lr_fraction": 1.0}),
    ],
)
@pytest.mark.parametrize("at", [50, 500, 999, 1000])
def test_a_new_budget_continues_from_the_current_rate_without_a_spike_or_a_second_warm_up(before, after, at):
    first = new_schedule(config(**before))
    rate_at_resume = first.factor(at, float(at))
    resumed = resumed_schedule(first, config(**after), at, float(at))
    assert resumed.factor(at, float(at)) == pytest.approx(rate_at_resume)
    later = factors(resumed, range(at, 5000), seconds_per_step=1.0)
    warmed_up = max(at, first.warmup_steps)
    assert all(b <= a + 1e-12 for a, b in zip(later[warmed_up - at :], later[warmed_up - at + 1 :]))
    assert max(later) <= max(rate_at_resume, 1.0)


def test_a_raised_budget_decays_over_the_new_remainder():
    first = new_schedule(config(steps=1000, warmup_steps=0))
    level = first.factor(1000, 0.0)  # the end: the final 10 %
    resumed = resumed_schedule(first, config(steps=2000, warmup_steps=0), 1000, 0.0)
    assert resumed.factor(1500, 0.0) == pytest.approx(level)  # already at the final rate: it stays there
    early = resumed_schedule(first, config(steps=2000, warmup_steps=0), 250, 0.0)
    assert early.factor(250, 0.0) == pytest.approx(first.factor(250, 0.0))
    assert early.factor(2000, 0.0) == pytest.approx(0.1)
    assert early.factor(1125, 0.0) == pytest.approx((first.factor(250, 0.0) + 0.1) / 2)


def test_a_run_saved_before_schedules_continues_at_the_full_rate_without_a_warm_up():
    resumed = resumed_schedule(None, config(steps=1000), 600, 50.0)
    assert resumed.factor(600, 50.0) == 1.0 and resumed.warmup_steps == 0
    assert resumed.factor(800, 60.0) == pytest.approx(0.55) and resumed.factor(1000, 70.0) == pytest.approx(0.1)
    hours = resumed_schedule(None, config(steps=None, hours=1.0), 600, 1800.0)
    assert hours.factor(600, 1800.0) == 1.0 and hours.factor(900, 2700.0) == pytest.approx(0.55)


@pytest.mark.parametrize(
    "damage",
    [
        {"unit": "minutes"},
        {"warmup_steps": -1},
        {"warmup_steps": "many"},
        {"start_factor": math.nan},
        {"final_factor": 2.0},
        {"end": math.inf},
        {"warmup_seconds": 0.0},
    ],
)
def test_a_damaged_saved_schedule_is_refused_with_its_value_named(damage):
    data = {**new_schedule(config(steps=100)).to_dict(), **damage}
    with pytest.raises(ValueError, match=r"unit|warmup|start_factor|final_factor|end"):
        LRSchedule.from_dict(data)
    with pytest.raises(ValueError, match="should be an object"):
        LRSchedule.from_dict([1, 2])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"warmup_steps": -5}, "warmup_steps must be from 0"),
        ({"warmup_steps": 2.5}, "warmup_steps must be a whole number"),
        ({"final_lr_fraction": 1.5}, "final_lr_fraction must be"),
        ({"final_lr_fraction": math.nan}, "final_lr_fraction must be a finite number"),
        ({"ema_decay": 1.0}, "ema_decay must be from 0 to below 1"),
        ({"ema_decay": -0.1}, "ema_decay must be"),
        ({"ema_decay": "0.999"}, "ema_decay must be a number"),
    ],
)
def test_the_recipes_settings_are_checked(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**settings)

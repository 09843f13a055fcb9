"""`modelcloud ab` (the real CLI, dist/cli.js) against statsmodels, live, on random cases: the
committed reference fixture (test/fixtures/abtest/statsmodels_reference.json) is thereby re-checked
against the real library on every python-suite run. Tolerance 1e-6 (relative for sample sizes,
absolute for p-values, statistics and interval ends). The seed is printed so a failure can be replayed."""

from __future__ import annotations

import json
import os
import random

import pytest

import mc_testlib

sm_power = pytest.importorskip("statsmodels.stats.power")
from statsmodels.stats.proportion import (confint_proportions_2indep, proportion_effectsize,  # noqa: E402
                                          proportions_ztest)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW, ttest_ind  # noqa: E402

SEED = int(os.environ.get("MODELCLOUD_AB_SEED", random.SystemRandom().randrange(1 << 30)))
print("random cases seeded with MODELCLOUD_AB_SEED=%d" % SEED)


def cli_json(*args):
    return json.loads(mc_testlib.run_cli("ab", *args, "--json"))


def num(v):
    return {"Infinity": float("inf"), "-Infinity": float("-inf")}.get(v, v) if isinstance(v, str) else v


def close_rel(a, b, tol=1e-6):
    assert abs(a - b) <= tol * abs(b), (a, b, abs(a - b) / abs(b))


def close_abs(a, b, tol=1e-6):
    assert a == b or abs(a - b) <= tol, (a, b, abs(a - b))


def test_seed_example_matches_statsmodels():
    expected = sm_power.TTestIndPower().solve_power(effect_size=0.05, alpha=0.05, power=0.8)
    got = cli_json("sample-size", "--effect", "0.05", "--alpha", "0.05", "--power", "0.8")
    close_rel(got["nobs1"], expected)
    assert round(got["nobs1"], 2) == 6280.05
    assert got["perGroup"] == [6281, 6281]


@pytest.mark.parametrize("case", range(12))
def test_ttest_sample_size_random(case):
    rng = random.Random(SEED * 100 + case)
    effect = 10 ** rng.uniform(-2, 0)
    alternative = rng.choice(["two-sided", "larger", "smaller"])
    if alternative == "smaller":
        effect = -effect
    alpha = rng.choice([0.01, 0.025, 0.05, 0.1])
    power = rng.choice([0.7, 0.8, 0.9, 0.95])
    ratio = rng.choice([1.0, 0.5, 2.0, 3.0])
    expected = sm_power.TTestIndPower().solve_power(effect_size=effect, alpha=alpha, power=power, ratio=ratio,
                                                    alternative=alternative)
    got = cli_json("sample-size", "--effect", repr(effect), "--alpha", alpha, "--power", power, "--ratio", ratio,
                   "--alternative", alternative)
    close_rel(got["nobs1"], float(expected))


@pytest.mark.parametrize("case", range(8))
def test_proportions_sample_size_random(case):
    rng = random.Random(SEED * 100 + 50 + case)
    p1 = rng.uniform(0.01, 0.9)
    p2 = min(0.99, p1 * rng.uniform(1.05, 1.3))
    alpha = rng.choice([0.01, 0.05, 0.1])
    power = rng.choice([0.8, 0.9])
    ratio = rng.choice([1.0, 2.0])
    h = proportion_effectsize(p1, p2)
    expected = sm_power.NormalIndPower().solve_power(effect_size=h, alpha=alpha, power=power, ratio=ratio)
    got = cli_json("sample-size", "--proportions", "%r,%r" % (p1, p2), "--alpha", alpha, "--power", power,
                   "--ratio", ratio)
    close_abs(got["effect"], h, 1e-12)
    close_rel(got["nobs1"], float(expected))


@pytest.mark.parametrize("case", range(8))
def test_welch_random(case):
    import numpy as np

    rng = np.random.default_rng(SEED * 100 + 70 + case)
    x1 = rng.normal(rng.uniform(0, 5), rng.uniform(0.5, 4), int(rng.integers(5, 3000)))
    x2 = rng.normal(x1.mean() + rng.normal(0, 0.2), rng.uniform(0.5, 4), int(rng.integers(5, 3000)))
    alternative = ["two-sided", "larger", "smaller"][case % 3]
    alpha = [0.05, 0.01, 0.1][case % 3]
    t, p, df = ttest_ind(x1, x2, alternative=alternative, usevar="unequal")
    lo, hi = CompareMeans(DescrStatsW(x1), DescrStatsW(x2)).tconfint_diff(alpha=alpha, alternative=alternative,
                                                                          usevar="unequal")
    got = cli_json("test", "--a", "%d,%r,%r" % (len(x1), float(x1.mean()), float(x1.var(ddof=1))),
                   "--b", "%d,%r,%r" % (len(x2), float(x2.mean()), float(x2.var(ddof=1))),
                   "--alpha", alpha, "--alternative", alternative)
    close_abs(got["statistic"], float(t))
    close_abs(got["pValue"], float(p))
    close_abs(got["df"], float(df))
    close_abs(num(got["ci"][0]), float(lo))
    close_abs(num(got["ci"][1]), float(hi))


@pytest.mark.parametrize("case", range(8))
def test_proportions_ztest_random(case):
    rng = random.Random(SEED * 100 + 90 + case)
    n1, n2 = rng.randrange(20, 200000), rng.randrange(20, 200000)
    base = rng.uniform(0.02, 0.8)
    s1 = sum(1 for _ in range(min(n1, 5000)) if rng.random() < base) * n1 // min(n1, 5000)
    s2 = sum(1 for _ in range(min(n2, 5000)) if rng.random() < base * rng.uniform(0.95, 1.05)) * n2 // min(n2, 5000)
    alternative = ["two-sided", "larger", "smaller"][case % 3]
    alpha = [0.05, 0.01, 0.1][case % 3]
    z, p = proportions_ztest([s1, s2], [n1, n2], alternative=alternative)
    lo, hi = confint_proportions_2indep(s1, n1, s2, n2, method="wald", compare="diff", alpha=alpha)
    got = cli_json("test", "--proportions", "--a", "%d,%d" % (s1, n1), "--b", "%d,%d" % (s2, n2), "--alpha", alpha,
                   "--alternative", alternative)
    close_abs(got["statistic"], float(z))
    close_abs(got["pValue"], float(p))
    close_abs(got["ci"][0], float(lo))
    close_abs(got["ci"][1], float(hi))

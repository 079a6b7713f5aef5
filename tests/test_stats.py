"""The report's and the drift check's statistics, against scipy."""

import pytest
from scipy.stats import binomtest, chi2_contingency

from classifier.stats import kish_effective_n, two_proportion_test, weighted_wilson_interval, wilson_interval


@pytest.mark.parametrize("k1,n1,k2,n2", [(30, 100, 20, 100), (5, 40, 40, 120), (96, 228, 228, 697)])
def test_two_proportion_test_matches_the_chi_square_test(k1, n1, k2, n2):
    expected = chi2_contingency([[k1, n1 - k1], [k2, n2 - k2]], correction=False).pvalue
    assert two_proportion_test(k1, n1, k2, n2) == pytest.approx(expected)
    # One-sided: half the two-sided p when the first share is larger.
    one = two_proportion_test(k1, n1, k2, n2, "greater")
    assert one == pytest.approx(expected / 2 if k1 / n1 > k2 / n2 else 1 - expected / 2)


def test_wilson_interval_matches_scipy():
    for k, n in [(0, 10), (3, 10), (10, 10), (96, 228), (1, 1)]:
        ci = binomtest(k, n).proportion_ci(0.95, method="wilson")
        assert wilson_interval(k, n) == pytest.approx((ci.low, ci.high))


def test_kish_effective_n():
    assert kish_effective_n([1] * 7) == 7
    assert kish_effective_n([2, 2] + [1] * 8) == pytest.approx(144 / 16)  # (12)^2 / (4 + 4 + 8)
    assert kish_effective_n([]) == 0


def test_weighted_wilson_interval_is_wilsons_at_the_effective_sample_size():
    # weights 2, 2 and eight 1s: effective n 9; both heavy units and 4 of the 8 light ones
    # right: share 8/12 = 6/9, so the interval is Wilson's for 6 of 9.
    shares, weights = [1, 1, 1, 1, 1, 1, 0, 0, 0, 0], [2, 2] + [1] * 8
    ci = binomtest(6, 9).proportion_ci(0.95, method="wilson")
    assert weighted_wilson_interval(shares, weights) == pytest.approx((ci.low, ci.high))
    ci = binomtest(3, 10).proportion_ci(0.95, method="wilson")  # equal weights: the plain interval
    assert weighted_wilson_interval([1, 1, 1] + [0] * 7, [1] * 10) == pytest.approx((ci.low, ci.high))

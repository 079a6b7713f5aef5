"""The report's and the drift check's statistics, against scipy."""

import pytest
from scipy.stats import binomtest, chi2_contingency

from classifier.stats import two_proportion_test, wilson_interval


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

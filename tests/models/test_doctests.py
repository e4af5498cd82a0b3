"""The examples in the model modules' docstrings hold (numbers recomputed by hand there)."""

import doctest

import pytest

import detente.models.compromise
import detente.models.exchange
import detente.models.nash
import detente.testing


@pytest.mark.parametrize(
    "module",
    [detente.models.compromise, detente.models.exchange, detente.models.nash, detente.testing],
)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0

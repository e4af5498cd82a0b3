"""Every registered model passes the shared contract (detente.testing.check_model)."""

import pytest

from detente.models import MODELS, get_model
from detente.testing import check_model


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_passes_the_contract(name):
    passed = check_model(get_model(name))
    assert any("unanimous" in p for p in passed)
    assert any("invariant to actor order" in p for p in passed)


def test_registry_lists_the_spatial_models():
    assert {"compromise", "median", "condorcet"} <= set(MODELS)

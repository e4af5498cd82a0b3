"""Bargaining models behind one interface (see :mod:`detente.models.base`)."""

from . import _load_all  # noqa: F401
from .base import MODELS, Forecast, Model, ModelSettings, Move, get_model, register

__all__ = ["MODELS", "Forecast", "Model", "ModelSettings", "Move", "get_model", "register"]

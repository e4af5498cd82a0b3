"""Importers and exporters for the formats analysts already hold.

Importing this module registers its readers and writers in :mod:`detente.scenario.io`.
(KTAB CSV/XML, the exchange model's #A/#P/#M/#D files and Bueno de Mesquita tables
are added here.)
"""

from __future__ import annotations

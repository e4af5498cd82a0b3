"""``detente serve``: a local what-if workbench in the browser, recording runs in the run store.

:func:`create_app` builds the Starlette application; :mod:`.compute` is the one module through
which it reaches the analysis.
"""

from .app import create_app

__all__ = ["create_app"]

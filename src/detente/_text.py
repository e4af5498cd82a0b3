"""Text from users on the terminal: no escape sequences, no console markup.

Labels, ids and notes come from scenario files anyone can write. Before they reach a
terminal, :func:`clean` replaces the C0 and C1 control characters (except newline and
tab) -- the start of escape sequences that retitle a window, clear the screen or write
the clipboard -- and :func:`safe` also escapes rich console markup (``[/]``, ``[bold]``)
so a label is printed, never interpreted. :func:`csv_cell` neutralises spreadsheet
formulas (cells starting with ``= + - @``) the way OWASP recommends.

:class:`SafeConsole` is the one place that guarantees it: a rich console that cleans the
text of every segment it writes (rich's own style and cursor codes are kept), so no
table cell, panel or plain print can put an escape sequence on the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.segment import Segment

__all__ = ["SafeConsole", "clean", "csv_cell", "safe"]

# C0 controls except \t and \n, DEL, and the C1 controls (U+0080-U+009F); also the
# Unicode bidirectional overrides that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """``text`` with every control character replaced by U+FFFD (visible, harmless)."""
    return _CONTROL.sub("\ufffd", str(text))


def safe(text: object) -> str:
    """``text`` cleaned of control characters and with rich markup escaped."""
    return escape(clean(text))


def csv_cell(text: str) -> str:
    """A CSV cell that a spreadsheet shows as text, never evaluates as a formula.

    Cells starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return get a leading
    apostrophe, except plain numbers (``-3.5``), which stay numbers.
    """
    if text and text[0] in "=+-@\t\r":
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


class SafeConsole(Console):
    """A rich ``Console`` that replaces control characters in every text it writes.

    Without an explicit ``width`` it reads ``COLUMNS`` at each write (rich fixes it once, when
    the console is made: a module-level console would keep whatever width was set at import).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("width") is None:
            self._width = None
        if kwargs.get("height") is None:
            self._height = None

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        cleaned = (
            seg if seg.control else Segment(clean(seg.text), seg.style, seg.control)
            for seg in buffer
        )
        return str(super()._render_buffer(cleaned))

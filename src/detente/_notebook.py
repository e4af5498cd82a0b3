"""How results show in a Jupyter notebook: ``_repr_html_`` for the report and every result.

One rule for all of them (:func:`html_repr`): a heading, the result's own text summary (as
``summary()`` prints it, so the notebook and the terminal never disagree) and, where the
result has one, its main table (``to_frame``), with numbers rounded as in every output
(:func:`detente._json.tidy`).
"""

from __future__ import annotations

from html import escape
from typing import Any

from ._json import tidy_frame

__all__ = ["html_repr"]


def html_repr(title: str, text: str, frame: Any = None, *, max_rows: int = 40) -> str:
    """A self-contained HTML block: ``title``, ``text`` (pre-formatted) and ``frame``."""
    parts = [
        '<div class="detente-result">',
        f"<strong>{escape(title)}</strong>",
        f'<pre style="white-space: pre-wrap">{escape(text)}</pre>',
    ]
    if frame is not None and len(frame):
        parts.append(tidy_frame(frame).to_html(max_rows=max_rows, border=0, na_rep="—"))
    parts.append("</div>")
    return "\n".join(parts)

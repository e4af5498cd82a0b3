"""Tiny Markdown-to-HTML rendering for result summaries (headings, bullets, tables, paragraphs).

Results write their summary once as Markdown; ``summary("html")`` runs it through here so the
three formats never drift apart.
"""

from __future__ import annotations

from html import escape

FORMATS = ("text", "markdown", "html")


def check_format(fmt: str, owner: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(
            f"The 'fmt' parameter of {owner}.summary must be one of {', '.join(map(repr, FORMATS))}. "
            f"Got {fmt!r} instead."
        )


def markdown_to_html(text: str) -> str:
    out: list[str] = []
    in_list = in_table = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if in_list and not line.startswith("- "):
            out.append("</ul>")
            in_list = False
        if in_table and not line.startswith("|"):
            out.append("</table>")
            in_table = False
        if not line:
            continue
        if line.startswith("#"):
            level = min(6, len(line) - len(line.lstrip("#")))
            out.append(f"<h{level}>{escape(line.lstrip('#').strip())}</h{level}>")
        elif line.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{escape(line[2:])}</li>")
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if all(set(c) <= {"-", ":"} for c in cells):
                continue
            tag = "th" if not in_table else "td"
            if not in_table:
                out.append("<table>")
                in_table = True
            out.append("<tr>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in cells) + "</tr>")
        else:
            out.append(f"<p>{escape(line)}</p>")
    if in_list:
        out.append("</ul>")
    if in_table:
        out.append("</table>")
    return "\n".join(out)

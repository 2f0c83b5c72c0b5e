"""Text that comes from data or from the user's code, made inert before the UI shows it.

Streamlit renders messages, captions and labels as Markdown (with its own ``:color[...]``, ``:icon:`` and ``$math$``
extensions), and Plotly renders a subset of HTML in chart labels. A split value ``![p](http://...)`` must not make
the browser fetch a URL, nor a label ``<a href=...>`` become a link: :func:`escape_markdown` and
:func:`escape_html` make such text show as what it is.
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; these are the ones with a meaning in
# Markdown or in Streamlit's extensions (":" starts icons and colours, "$" math, "~" strikethrough).
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|:$~&=\"'])")


def escape_markdown(text: object) -> str:
    """``text`` as literal characters in Streamlit Markdown (line breaks kept)."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def escape_html(text: object) -> str:
    """``text`` as literal characters in HTML, e.g. a Plotly axis or legend label."""
    return html.escape(str(text), quote=True)

"""Data-derived text is shown as text: never as a Markdown image or link, never as HTML."""

from __future__ import annotations

import markdown_it

from mmtl_core.markup import escape_html, escape_markdown


def rendered(text: str) -> str:
    return markdown_it.MarkdownIt("commonmark").render(text)


def test_markdown_in_data_renders_as_the_same_characters():
    for value in ["![p](http://attacker.example/x.png)", "[click](http://x)", "<a href='http://x'>y</a>",
                  "**bold** _it_ `code`", "# heading", "- item", "1. item", "a | b", "$x^2$"]:
        html = rendered(escape_markdown(value))
        assert "<img" not in html and "<a " not in html and "<strong>" not in html and "<h1>" not in html
        assert "<li>" not in html and "<code>" not in html
        assert html.replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") \
            .replace("&#39;", "'").strip().removeprefix("<p>").removesuffix("</p>") == value


def test_streamlit_directives_are_escaped():
    assert escape_markdown(":red[alert] :material/home:") == "\\:red\\[alert\\] \\:material/home\\:"


def test_html_in_chart_labels_is_inert():
    assert escape_html("<a href='http://x'>spam</a>") == "&lt;a href=&#x27;http://x&#x27;&gt;spam&lt;/a&gt;"

"""Names from data never act as Markdown or HTML on any page: a dataset named like an image and a class named like
a link show as those characters, and nothing makes the browser fetch or link to 127.0.0.1:9 (what Streamlit would
render is rendered here with CommonMark, raw HTML off as in Streamlit; Plotly labels are checked for raw tags)."""

from __future__ import annotations

import html
import json

import markdown_it
import pytest

from mmtl_core.data import DatasetSpec, save_specs
from mmtl_core.tasks import identifier_from

NAME = "![p](http:127.0.0.1:9)"  # an image, were it Markdown (a dataset name holds no "/")
LINK = '<a href="http://127.0.0.1:9/y">ham</a>'
MODULE = '''from snorkel.labeling import labeling_function
from snorkel.slicing import slicing_function


@labeling_function()
def says_buy(x):
    return 1 if "buy" in x.text else -1


@labeling_function()
def says_song(x):
    return 0 if "song" in x.text else -1


@slicing_function()
def short(x):
    return len(x.text) < 16
'''
PAGES = {"home": "pages/views/home.py", "data": "pages/views/data.py", "labeling": "pages/views/labeling.py",
         "slices": "pages/views/slices.py", "train": "pages/views/training.py"}
MARKDOWN = markdown_it.MarkdownIt("commonmark", {"html": False})


@pytest.fixture
def hostile_workspace(tmp_path):
    """A dataset named like an image, one class named like a link; a module of labeling and slicing functions
    named after its task."""
    rows = ["text,label,part"]
    for i in range(90):
        label = "spam" if i % 2 else LINK.replace('"', '""')
        text = "buy cheap pills now" if i % 2 else "a lovely song for you"
        rows.append(f'"{text} {i}","{label}","{("train", "dev", "test")[i % 3]}"')
    (tmp_path / "hostile.csv").write_text("\n".join(rows) + "\n")
    save_specs(tmp_path / "workspace" / "datasets.json", [
        DatasetSpec(NAME, "table", str(tmp_path / "hostile.csv"),
                    {"text_fields": ["text"], "label_field": "label", "split_field": "part",
                     "label_names": [LINK, "spam"]})])
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / f"{identifier_from(NAME).lower()}.py").write_text(MODULE)


def _markdown_texts(at) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown: messages, captions, headings, markdown, expander
    and widget labels, help tooltips."""
    texts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader",
                                  "header", "toast") for e in getattr(at, kind)]
    texts += [e.label for e in at.expander]
    for kind in ("button", "selectbox", "multiselect", "radio", "checkbox", "text_input", "number_input"):
        for widget in getattr(at, kind):
            texts += [widget.label, widget.help or ""]
    texts += [h.proto.help for h in at.subheader]
    return [t for t in texts if t]


def _fetched_or_linked(markdown: str) -> list[str]:
    """The URLs that rendering ``markdown`` would fetch (images) or link to."""
    urls, stack = [], MARKDOWN.parse(markdown)
    while stack:
        token = stack.pop()
        stack += token.children or []
        urls += [str(token.attrs[a]) for a in ("src", "href") if a in (token.attrs or {})]
    return urls


def _chart_labels(at) -> str:
    return " ".join(json.dumps(json.loads(c.proto.spec)) for c in at.get("plotly_chart"))


def _check(at, page: str, *, shows: tuple[str, ...] = ()) -> None:
    assert not at.exception, [e.message for e in at.exception]
    texts = _markdown_texts(at)
    for text in texts:
        assert not [u for u in _fetched_or_linked(text) if "127.0.0.1" in u], f"{page}: {text!r}"
    rendered = [MARKDOWN.render(t) for t in texts]
    for name in shows:  # on the page, as its characters (the renderer writes & < > " as entities)
        assert any(html.escape(name) in r for r in rendered), f"{page}: {name!r} is not shown as text"
    charts = _chart_labels(at)
    assert "<a href" not in charts and "<a " not in charts.replace("\\u003c", "<"), f"{page}: a raw link in a chart"


def test_names_from_data_show_as_text_on_every_page(app, hostile_workspace):
    at = app()
    _check(at, "home")  # the datasets table only: no Markdown

    at.switch_page(PAGES["data"]).run()
    _check(at, "data", shows=(NAME,))  # "Forget '![p](...)'"
    assert html.escape(LINK) in _chart_labels(at)  # the class balance's legend

    at.switch_page(PAGES["labeling"]).run()
    at.button(key="lf_save_labels").click().run()
    _check(at, "labeling", shows=(NAME,))  # "Saved to .../![p](...)_....parquet"

    at.switch_page(PAGES["slices"]).run()
    _check(at, "slices", shows=(f"prob_{LINK}",))  # the upload hint names the class's column
    assert html.escape(LINK) in _chart_labels(at)  # the heatmap's axes

    at.switch_page(PAGES["train"]).run()
    _check(at, "train", shows=(NAME,))  # "Labels for ![p](...) / ..."

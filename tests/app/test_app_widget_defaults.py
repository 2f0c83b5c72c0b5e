"""A widget's default follows its file: a choice that is not among the current options (a click sent by a page
still showing the previous file's columns) goes back to the guess instead of staying empty."""

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from pages.parts.widget_defaults import defaults_when

    columns = st.session_state.get("columns", ["column_1", "column_2"])
    defaults_when("mapping", "same file", {"fields": [columns[-1]]}, options=set(columns))
    st.multiselect("Text field(s)", columns, key="fields")


def test_a_stale_choice_is_replaced_by_the_guess_for_the_current_columns():
    at = AppTest.from_function(_script).run()
    assert at.multiselect(key="fields").value == ["column_2"]
    at.session_state["columns"] = ["label", "text"]  # the same source, renamed columns, the old choice held
    at.run()
    assert at.multiselect(key="fields").value == ["text"]


def test_a_valid_choice_of_the_user_is_kept():
    at = AppTest.from_function(_script).run()
    at.multiselect(key="fields").set_value(["column_1"]).run()
    at.run()
    assert at.multiselect(key="fields").value == ["column_1"]

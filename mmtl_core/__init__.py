"""MMTL Studio's core library: everything the app does, importable and testable without Streamlit."""

__version__ = "0.1.0"

"""Taking results out of the app: comparison tables and per-example predictions as CSV or Parquet (``tables``), and
a trained run as a folder ``transformers`` loads, with a small loader that needs no MMTL Studio (``model_folder``,
which copies ``mmtl_heads.py`` into the folder)."""

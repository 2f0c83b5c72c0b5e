"""Datasets: loading GLUE folders, tables (CSV/TSV/JSONL/Parquet), WRENCH JSON and the YouTube spam collection;
reading table files exactly as they are; making splits; downloading public datasets; and the registry that
reloads what the user loaded."""

from mmtl_core.data.dataset import SPLITS, Dataset, fingerprint, make_example_ids
from mmtl_core.data.download import (DOWNLOADABLE, download_dataset, download_glue_task,
                                     download_youtube_spam)
from mmtl_core.data.fetch import BASE_URL_ENV, Progress
from mmtl_core.data.glue import GLUE_FORMATS, GLUE_TASK_FOLDERS, glue_folder_name, load_glue_task
from mmtl_core.data.registry import LOADERS, DatasetSpec, Loader, load_dataset, load_specs, save_specs
from mmtl_core.data.splits import SplitPlan, assign_splits, with_splits
from mmtl_core.data.table import SPLIT_ALIASES, ColumnMapping, load_table
from mmtl_core.data.tableformat import EXTENSIONS, FORMATS, TableFormat
from mmtl_core.data.tablefile import read_table_file
from mmtl_core.data.sniff import sniff_table
from mmtl_core.data.wrench import load_wrench
from mmtl_core.data.youtube import YOUTUBE_LABEL_NAMES, load_youtube_spam, youtube_videos

__all__ = [
    "SPLITS", "Dataset", "fingerprint", "make_example_ids",
    "load_glue_task", "glue_folder_name", "GLUE_TASK_FOLDERS", "GLUE_FORMATS",
    "ColumnMapping", "load_table", "SPLIT_ALIASES",
    "TableFormat", "FORMATS", "EXTENSIONS", "read_table_file", "sniff_table",
    "SplitPlan", "assign_splits", "with_splits",
    "load_wrench", "load_youtube_spam", "youtube_videos", "YOUTUBE_LABEL_NAMES",
    "DatasetSpec", "Loader", "LOADERS", "load_dataset", "save_specs", "load_specs",
    "download_dataset", "download_glue_task", "download_youtube_spam", "DOWNLOADABLE", "BASE_URL_ENV", "Progress",
]

"""Labeling and slicing functions: find them in the user's files, apply them (cached, sandboxed), save edits."""

from mmtl_core.functions.apply import AppliedFunctions, ApplyReport, apply_functions
from mmtl_core.functions.cache import LabelCache
from mmtl_core.functions.discovery import FunctionSet, UserFunction, load_functions, make_user_function
from mmtl_core.functions.files import (check_syntax, list_function_files, previous_versions, restore_version,
                                       save_function_file)
from mmtl_core.functions.rows import Row
from mmtl_core.functions.templates import KeywordLF, KeywordSF, LengthSF, RegexLF, RegexSF, TemplateFunction

__all__ = [
    "AppliedFunctions", "ApplyReport", "FunctionSet", "KeywordLF", "KeywordSF", "LabelCache", "LengthSF", "RegexLF",
    "RegexSF", "Row", "TemplateFunction", "UserFunction", "apply_functions", "check_syntax",
    "list_function_files", "load_functions", "make_user_function", "previous_versions", "restore_version",
    "save_function_file",
]

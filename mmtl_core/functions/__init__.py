"""Labeling and slicing functions: find them in the user's files, apply them (cached, sandboxed), save edits.

The app applies a functions folder's modules through :func:`apply_modules` (the sandboxed function host); scripts
and notebooks may load and apply function objects in their own process with :func:`load_functions`,
:func:`make_user_function` and :func:`apply_functions`.
"""

from mmtl_core.functions.apply import apply_functions
from mmtl_core.functions.cache import LabelCache
from mmtl_core.functions.client import FunctionHost, ModuleRun, apply_modules, function_host, sandbox_protections
from mmtl_core.functions.discovery import FunctionSet, UserFunction, load_functions, make_user_function
from mmtl_core.functions.files import (check_syntax, list_function_files, previous_versions, restore_version,
                                       save_function_file)
from mmtl_core.functions.problems import ProblemGroup, group_problems
from mmtl_core.functions.report import AppliedFunctions, ApplyReport, FunctionInfo
from mmtl_core.functions.rows import Row
from mmtl_core.sandbox import Protection
from mmtl_core.functions.templates import KeywordLF, KeywordSF, LengthSF, RegexLF, RegexSF, TemplateFunction

__all__ = [
    "AppliedFunctions", "ApplyReport", "FunctionHost", "FunctionInfo", "FunctionSet", "KeywordLF", "KeywordSF",
    "LabelCache", "LengthSF", "ModuleRun", "ProblemGroup", "Protection", "RegexLF", "RegexSF", "Row",
    "TemplateFunction", "UserFunction", "apply_functions", "apply_modules", "check_syntax", "function_host",
    "group_problems", "list_function_files", "load_functions", "make_user_function", "previous_versions",
    "restore_version", "sandbox_protections", "save_function_file",
]

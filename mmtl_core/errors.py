"""The one exception tree of mmtl_core.

Every error a user can cause derives from :class:`MMTLError`; its message is written for that user (what was found,
what was expected, what to do next) and the UI may show it as it is. Anything else escaping the core is a bug.

    MMTLError
    ├── DataError          a dataset file or column mapping is wrong (names the file, row or column)
    ├── DownloadError      fetching a public dataset failed (names the source and why)
    ├── TaskError          a task definition is inconsistent with its dataset
    ├── FunctionError      a labeling or slicing function is broken (names the function, file and line)
    ├── PredictionsError   an uploaded or stored prediction set does not fit the task (names the file and what)
    ├── ConfigError        a training config is invalid (names the setting)
    ├── WorkspaceError     the workspace folder or a saved file cannot be used
    │   └── SaveConflict   a file changed on disk since it was opened (holds both texts)
    ├── SandboxError       the sandboxed function host could not start or stopped answering
    ├── RegistryError      the run registry cannot be opened, or a run is not in a state for what was asked
    └── JobError           a background job cannot be launched or reached (names the backend and address)
"""

from __future__ import annotations


class MMTLError(Exception):
    """Base class of errors whose message is meant for the user."""


class DataError(MMTLError):
    """A dataset file, its format or its column mapping is wrong."""


class DownloadError(MMTLError):
    """A public dataset could not be fetched or failed its checksum."""


class TaskError(MMTLError):
    """A task does not fit its dataset (missing field, labels outside the declared classes...)."""


class FunctionError(MMTLError):
    """A labeling or slicing function cannot be loaded or applied.

    ``function``, ``path`` and ``line`` locate the fault where they are known; ``remembered`` marks a failure
    kept in memory until the file changes (an import that timed out or crashed), which the user may run again.
    """

    def __init__(self, message: str, *, function: str | None = None, path: str | None = None,
                 line: int | None = None, remembered: bool = False) -> None:
        super().__init__(message)
        self.function = function
        self.path = path
        self.line = line
        self.remembered = remembered


class PredictionsError(MMTLError):
    """A prediction set (uploaded file or stored run) does not fit the task or split."""


class ConfigError(MMTLError):
    """A training or job configuration names an unknown or invalid setting."""


class WorkspaceError(MMTLError):
    """The workspace folder, or a file in it, cannot be read or written."""


class SaveConflict(WorkspaceError):
    """A save found the file changed since it was opened: nothing was written; both texts are kept here."""

    def __init__(self, message: str, *, path: str, mine: str, theirs: str) -> None:
        super().__init__(message)
        self.path = path
        self.mine = mine  # the text the user tried to save
        self.theirs = theirs  # what the file holds now


class SandboxError(MMTLError):
    """The process that runs the user's functions could not start, or stopped answering."""


class RegistryError(MMTLError):
    """The run registry cannot be opened or written, or a run is not in a state that allows what was asked."""


class JobError(MMTLError):
    """A training job cannot be launched, reached or controlled (the Ray head is unreachable, ...)."""


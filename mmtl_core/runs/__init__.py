"""The run folder and the run registry: the one owner of where a run's files live and how they are read."""

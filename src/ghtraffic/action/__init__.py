"""ghtraffic as a GitHub Action: no server, the archive kept as text in a git branch.

This package owns what only the action needs:

- ``textform.py``: the archive's text form (one folder per repository, CSV files of
  lines sorted by their natural key, so a run adds lines and git diffs stay readable);
- ``dump.py`` and ``load.py``: writing an archive as text, and merging text into an
  archive by the archive's own rules (per day and metric the maximum, newest lists);
- ``git.py``: the ``git`` commands, run as subprocesses, with one-line errors;
- ``settings.py``: the action's inputs (``GHTRAFFIC_ACTION_*``);
- ``run.py``: one run: restore the data branch, import a github-repo-stats branch on
  the first run, collect, write the text form and the report, commit and push (on a
  rejected push: fetch, merge, rewrite, push again).

``action.yml`` at the repository's root calls ``ghtraffic action run``.
"""

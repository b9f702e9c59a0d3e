"""History: what the archive holds beyond its own collections, and how it leaves.

This part owns

* the importers (``importers/``, one module per foreign format, and ``load.py``, which
  merges what they read with the archive's own max rule and reports every row);
* synthetic repository ids for imported names and their adoption by a later collection
  (``identity.py``);
* star, fork and download counts (``counts.py``);
* the exports of every kind (``exports.py``, including Parquet);
* whole-archive backups and restores (``backup.py``).
"""

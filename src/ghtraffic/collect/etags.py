"""The ETag cache of a run: loaded from the archive at start, written back with each
repository's transaction so a 304 next time can reuse the body it stands for."""

from __future__ import annotations

from datetime import datetime

from ghtraffic.storage.archive import Archive


class ArchiveEtagStore:
    """In memory for the run; ``drain()`` hands over what changed since the last drain."""

    def __init__(self, initial: dict[str, tuple[str, str]] | None = None) -> None:
        self._data: dict[str, tuple[str, str]] = dict(initial or {})
        self._dirty: dict[str, tuple[str, str]] = {}

    def get(self, url: str) -> tuple[str, str] | None:
        return self._data.get(url)

    def put(self, url: str, etag: str, body: str) -> None:
        self._data[url] = (etag, body)
        self._dirty[url] = (etag, body)

    def drain(self) -> dict[str, tuple[str, str]]:
        dirty, self._dirty = self._dirty, {}
        return dirty

    def restore(self, entries: dict[str, tuple[str, str]]) -> None:
        """Put back entries whose transaction failed, so a later commit writes them."""
        for url, entry in entries.items():
            self._dirty.setdefault(url, entry)

    def keep(self, archive: Archive, at: datetime) -> None:
        """Write what changed now, in a transaction of its own (listing pages' ETags,
        before any repository is read); put back if that fails."""
        pending = self.drain()
        if not pending:
            return
        try:
            with archive.repo_batch() as batch:
                batch.put_etags(pending, at)
        except BaseException:
            self.restore(pending)
            raise

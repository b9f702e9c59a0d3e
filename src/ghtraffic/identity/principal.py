"""Who is asking: a signed-in user (by session or API token), the public, or nobody."""

from __future__ import annotations

from dataclasses import dataclass

from ghtraffic.identity.accounts import User


@dataclass(frozen=True, slots=True)
class Principal:
    user: User | None = None
    #: The SHA-256 of the session id, when signed in with a browser session.
    session_hash: str | None = None
    csrf_token: str | None = None
    #: Signed in with a personal API token (no cookies: no CSRF check needed).
    via_token: bool = False
    #: The API token was minted with write access (else it reads only).
    token_writes: bool = False
    #: The API token reads ``/metrics`` and nothing else.
    metrics_only: bool = False
    #: The anonymous visitor of the public view: may see the public repositories.
    public: bool = False

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.is_admin

    @property
    def read_only(self) -> bool:
        """An API token without write access: every state-changing request is refused."""
        return self.via_token and not self.token_writes

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def name(self) -> str:
        return self.user.name if self.user is not None else "anonymous"


ANONYMOUS = Principal()
PUBLIC = Principal(public=True)

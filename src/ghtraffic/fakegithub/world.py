"""The fake's world: users, organisations, repositories, tokens and one renamed repository.

Built deterministically from a seed: the same ``(repos, seed)`` gives the same names, ids and
flags. The token's user owns some repositories and belongs to every organisation (with admin
rights), so it has push access everywhere unless a fault revokes it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

DEFAULT_USER = "octo-demo"
DEFAULT_TOKEN = "demo-token"  # noqa: S105 (the fake's public demo token)
#: A second account with no membership anywhere: public repositories only, without push.
OUTSIDER_USER = "octo-outsider"
OUTSIDER_TOKEN = "outsider-token"  # noqa: S105
DEFAULT_TOKENS: Mapping[str, str] = {DEFAULT_TOKEN: DEFAULT_USER, OUTSIDER_TOKEN: OUTSIDER_USER}
DEFAULT_ORGS = ("acme-labs", "globex")

_ADJECTIVES = (
    "tiny", "fast", "simple", "smart", "open", "micro", "async", "lazy", "deep", "quick",
    "rusty", "happy", "cloud", "data", "py", "go", "neo", "meta", "hyper", "super",
    "little", "modern", "secure", "static", "live", "auto", "easy", "clean", "raw", "mini",
)  # fmt: skip
_NOUNS = (
    "json", "parser", "cli", "dashboard", "toolkit", "api", "cache", "queue", "router",
    "scheduler", "logger", "crawler", "bot", "docs", "config", "notebook", "pipeline", "sdk",
    "server", "client", "tracker", "linter", "formatter", "compiler", "viewer", "editor",
    "metrics", "graph", "store", "sync", "mailer", "auth", "proxy", "search", "shell",
    "plugin", "theme", "template", "bench", "validator",
)  # fmt: skip
_SUFFIXES = ("", "", "", "", "-rs", "-py", "-js", "-go", "-kit", "-lab", "-demo", ".nvim")
_DESCRIPTIONS = (
    "A {noun} that stays out of your way",
    "Fast and small {noun} for everyday use",
    "Experimental {noun} written over a weekend",
    "The {noun} we use in production",
    "Yet another {noun}",
    None,
)
_LANGUAGES = ("Python", "Rust", "TypeScript", "Go", "JavaScript", "C++", "Shell", None)


@dataclass(frozen=True, slots=True)
class Account:
    """A user or an organisation."""

    login: str
    id: int
    type: str  # "User" | "Organization"
    created_at: datetime
    name: str | None = None

    @property
    def is_org(self) -> bool:
        return self.type == "Organization"


@dataclass(frozen=True, slots=True)
class Repo:
    """One repository and its static facts (the growing ones live in ``facts``)."""

    id: int
    owner: Account
    name: str
    private: bool = False
    fork: bool = False
    archived: bool = False
    description: str | None = None
    language: str | None = None
    created_at: datetime = datetime(2020, 1, 1, tzinfo=UTC)
    renamed_from: str | None = None  # "OWNER/OLD_NAME"
    base_stars: int = 0
    star_rate: float = 0.0  # stars per day
    base_size: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.owner.login}/{self.name}"


@dataclass
class World:
    """All accounts, repositories and tokens, with the look-ups the routes need."""

    accounts: dict[str, Account]
    repos: list[Repo]
    tokens: dict[str, str]  # token -> login
    members: dict[str, set[str]] = field(default_factory=dict)  # org login -> member logins
    _by_name: dict[str, Repo] = field(default_factory=dict, repr=False)
    _by_id: dict[int, Repo] = field(default_factory=dict, repr=False)
    _renamed: dict[str, Repo] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {r.full_name.lower(): r for r in self.repos}
        self._by_id = {r.id: r for r in self.repos}
        self._renamed = {r.renamed_from.lower(): r for r in self.repos if r.renamed_from}

    def rename(self, repo_id: int, new_name: str) -> Repo:
        """Rename a repository now: its old name answers 301 from then on."""
        old = self._by_id[repo_id]
        new = replace(old, name=new_name, renamed_from=old.full_name)
        self.repos[self.repos.index(old)] = new
        self.__post_init__()
        return new

    def delete(self, repo_id: int) -> None:
        """Delete a repository now: every route of it answers 404 from then on."""
        self.repos.remove(self._by_id[repo_id])
        self.__post_init__()

    def account(self, login: str) -> Account | None:
        return self.accounts.get(login.lower())

    def user_for_token(self, token: str) -> Account | None:
        login = self.tokens.get(token)
        return self.account(login) if login is not None else None

    def repo(self, owner: str, name: str) -> Repo | None:
        return self._by_name.get(f"{owner}/{name}".lower())

    def repo_by_id(self, repo_id: int) -> Repo | None:
        return self._by_id.get(repo_id)

    def renamed(self, owner: str, name: str) -> Repo | None:
        """The repository that used to be called ``owner/name``."""
        return self._renamed.get(f"{owner}/{name}".lower())

    def is_member(self, user: Account, repo: Repo) -> bool:
        if repo.owner.login == user.login:
            return True
        return user.login in self.members.get(repo.owner.login, set())

    def can_see(self, user: Account, repo: Repo) -> bool:
        return not repo.private or self.is_member(user, repo)

    def owned_by(self, login: str) -> list[Repo]:
        return [r for r in self.repos if r.owner.login.lower() == login.lower()]

    def member_repos(self, user: Account) -> list[Repo]:
        return [r for r in self.repos if self.is_member(user, r)]


def _account_created(rng: random.Random) -> datetime:
    start = datetime(2011, 1, 1, tzinfo=UTC)
    return start + timedelta(days=rng.randint(0, 3000), seconds=rng.randint(0, 86399))


def make_accounts(
    user: str, orgs: Iterable[str], tokens: Mapping[str, str], seed: int
) -> tuple[dict[str, Account], dict[str, set[str]]]:
    """Accounts for the main user (id 1), every other token's user and the organisations."""
    rng = random.Random(f"accounts:{seed}")
    accounts: dict[str, Account] = {}
    others = {login for login in tokens.values() if login.lower() != user.lower()}
    logins = [user, *sorted(others)]
    for i, login in enumerate(logins, start=1):
        accounts[login.lower()] = Account(login, i, "User", _account_created(rng), login.title())
    members: dict[str, set[str]] = {}
    for i, org in enumerate(orgs):
        accounts[org.lower()] = Account(org, 1001 + i, "Organization", _account_created(rng))
        members[org] = {user}
    return accounts, members


def build_world(
    repos: int = 25,
    seed: int = 1,
    *,
    user: str = DEFAULT_USER,
    orgs: Iterable[str] = DEFAULT_ORGS,
    tokens: Mapping[str, str] = DEFAULT_TOKENS,
) -> World:
    """A deterministic world of ``repos`` repositories over the user and the organisations."""
    orgs = tuple(orgs)
    accounts, members = make_accounts(user, orgs, tokens, seed)
    owners = [accounts[user.lower()]] + [accounts[o.lower()] for o in orgs]
    weights = [0.3] + [0.7 / max(1, len(orgs))] * len(orgs)
    rng = random.Random(f"world:{seed}")
    taken: set[str] = set()
    result: list[Repo] = []
    next_id = 100_000 + rng.randint(0, 50_000)
    archived_at = rng.randrange(repos) if repos else -1
    renamed_at = (archived_at + 1 + rng.randrange(max(1, repos - 1))) % max(1, repos)
    for index in range(repos):
        owner = rng.choices(owners, weights)[0] if len(owners) > 1 else owners[0]
        noun = rng.choice(_NOUNS)
        name = f"{rng.choice(_ADJECTIVES)}-{noun}{rng.choice(_SUFFIXES)}"
        while f"{owner.login}/{name}".lower() in taken:
            name = f"{name}-{rng.randint(2, 99)}"
        taken.add(f"{owner.login}/{name}".lower())
        next_id += rng.randint(1, 40_000)
        template = rng.choice(_DESCRIPTIONS)
        renamed = index == renamed_at and repos > 1
        stars = int(rng.paretovariate(1.1) * 3) - 3
        result.append(
            Repo(
                id=next_id,
                owner=owner,
                name=name,
                private=rng.random() < 0.2 and not renamed,
                fork=rng.random() < 0.1 and not renamed,
                archived=index == archived_at,
                description=template.format(noun=noun) if template else None,
                language=rng.choice(_LANGUAGES),
                created_at=datetime(2016, 1, 1, tzinfo=UTC)
                + timedelta(days=rng.randint(0, 3200), seconds=rng.randint(0, 86399)),
                renamed_from=f"{owner.login}/old-{name}" if renamed else None,
                base_stars=max(0, stars),
                star_rate=rng.uniform(0, 0.3) * (1 + max(0, stars) / 200),
                base_size=rng.randint(20, 80_000),
            )
        )
    return World(accounts=accounts, repos=result, tokens=dict(tokens), members=members)

"""The GitHub REST routes the fake answers, as plain functions from a request to a result.

No HTTP here: ``route`` matches a path, the handlers return an ``ApiResult`` (status, JSON
body, extra headers); ``app`` adds authentication, rate limits, ETags and faults around them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from ghtraffic.fakegithub import bodies, extras
from ghtraffic.fakegithub.facts import facts_at
from ghtraffic.fakegithub.faults import FaultSettings
from ghtraffic.fakegithub.model import Per, TrafficModel
from ghtraffic.fakegithub.world import Account, Repo, World

TRAFFIC_DOCS = "https://docs.github.com/rest/metrics/traffic"
REDIRECT_DOCS = "https://docs.github.com/v3/#http-redirects"


@dataclass(frozen=True, slots=True)
class ApiResult:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Context:
    """One authenticated request, as the handlers see it."""

    world: World
    model: TrafficModel
    faults: FaultSettings
    user: Account
    now: datetime
    api: str  # the API root URL, e.g. http://127.0.0.1:8080 or http://host/api/v3
    path: str  # the path below the API root
    query: Mapping[str, str]
    ghes: bool = False
    accept: str = ""


def not_found() -> ApiResult:
    return ApiResult(404, bodies.error(404, "Not Found"))


Handler = Callable[[Context, re.Match[str]], ApiResult]


def _repo_route(ctx: Context, match: re.Match[str]) -> ApiResult:
    owner, name, rest = match["owner"], match["repo"], match["rest"] or ""
    repo = ctx.world.repo(owner, name)
    if repo is None:
        moved = ctx.world.renamed(owner, name)
        if moved is not None and ctx.world.can_see(ctx.user, moved):
            return _redirect(ctx, moved, rest)
    return _repo_resource(ctx, repo, rest)


def _by_id_route(ctx: Context, match: re.Match[str]) -> ApiResult:
    return _repo_resource(ctx, ctx.world.repo_by_id(int(match["id"])), match["rest"] or "")


def _redirect(ctx: Context, repo: Repo, rest: str) -> ApiResult:
    location = f"{ctx.api}/repositories/{repo.id}{rest}"
    if ctx.query:
        location += "?" + urlencode(ctx.query)
    body = {"message": "Moved Permanently", "url": location, "documentation_url": REDIRECT_DOCS}
    return ApiResult(301, body, {"location": location})


def _repo_resource(ctx: Context, repo: Repo | None, rest: str) -> ApiResult:
    if repo is None or not ctx.world.can_see(ctx.user, repo):
        return not_found()
    member = ctx.world.is_member(ctx.user, repo)
    push = member and not ctx.faults.denies_push(repo.full_name)
    if rest in ("", "/"):
        perms = bodies.permissions(member=member, push=push)
        return ApiResult(200, bodies.repository(repo, ctx.api, ctx.now, perms=perms, full=True))
    kind = rest.rstrip("/")
    if kind in ("/releases", "/stargazers"):
        return _extra(ctx, repo, kind)
    if kind not in _TRAFFIC or ctx.ghes:
        return not_found()
    if not push:
        docs = f"{TRAFFIC_DOCS}#{_TRAFFIC[kind]}"
        return ApiResult(403, bodies.error(403, "Must have push access to repository", docs))
    per: Per = "week" if ctx.query.get("per") == "week" else "day"
    model, now = ctx.model, ctx.now
    if kind == "/traffic/views":
        return ApiResult(200, model.views_body(repo.id, now, per))
    if kind == "/traffic/clones":
        return ApiResult(200, model.clones_body(repo.id, now, per))
    if kind == "/traffic/popular/referrers":
        return ApiResult(200, model.referrers_body(repo.id, now))
    return ApiResult(200, model.paths_body(repo.id, repo.full_name, now, repo.description))


def _extra(ctx: Context, repo: Repo, kind: str) -> ApiResult:
    """Releases (download counts) and stargazers (with ``starred_at`` on request)."""
    if kind == "/releases":
        items = extras.release_bodies(repo, ctx.now, ctx.api)
    else:
        if ctx.user.type == "Bot":
            docs = "https://docs.github.com/rest/activity/starring#list-stargazers"
            return ApiResult(403, bodies.error(403, "Resource not accessible by integration", docs))
        items = extras.stargazer_bodies(
            repo, ctx.now, ctx.api, with_times=extras.STAR_MEDIA in ctx.accept
        )
    page, headers = extras.paginate(items, ctx.query, ctx.api, ctx.path)
    return ApiResult(200, page, headers)


_TRAFFIC = {
    "/traffic/views": "get-page-views",
    "/traffic/clones": "get-repository-clones",
    "/traffic/popular/referrers": "get-top-referral-sources",
    "/traffic/popular/paths": "get-top-referral-paths",
}


# -- listings -------------------------------------------------------------------------------


def _int_param(query: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(query.get(name, default))
    except ValueError:
        return default


def _sorted(repos: list[Repo], ctx: Context, default_sort: str) -> list[Repo]:
    sort = ctx.query.get("sort", default_sort)
    direction = ctx.query.get("direction", "asc" if sort == "full_name" else "desc")
    keys: dict[str, Callable[[Repo], Any]] = {
        "full_name": lambda r: r.full_name.lower(),
        "created": lambda r: (r.created_at, r.id),
        "updated": lambda r: (facts_at(r, ctx.now).updated_at, r.id),
        "pushed": lambda r: (facts_at(r, ctx.now).pushed_at, r.id),
    }
    return sorted(repos, key=keys.get(sort, keys["full_name"]), reverse=direction == "desc")


def _filter_type(repos: list[Repo], kind: str, ctx: Context) -> list[Repo]:
    if kind == "public":
        return [r for r in repos if not r.private]
    if kind == "private":
        return [r for r in repos if r.private]
    if kind == "forks":
        return [r for r in repos if r.fork]
    if kind == "sources":
        return [r for r in repos if not r.fork]
    if kind == "owner":
        return [r for r in repos if r.owner.login == ctx.user.login]
    if kind == "member":
        return [r for r in repos if r.owner.login != ctx.user.login]
    return repos


def _page(ctx: Context, repos: list[Repo]) -> ApiResult:
    per_page = min(100, max(1, _int_param(ctx.query, "per_page", 30)))
    page = max(1, _int_param(ctx.query, "page", 1))
    last = max(1, math.ceil(len(repos) / per_page))
    chunk = repos[(page - 1) * per_page : page * per_page]
    body = [
        bodies.repository(
            r,
            ctx.api,
            ctx.now,
            perms=bodies.permissions(
                member=ctx.world.is_member(ctx.user, r),
                push=ctx.world.is_member(ctx.user, r) and not ctx.faults.denies_push(r.full_name),
            ),
            full=False,
        )
        for r in chunk
    ]

    def link(number: int, rel: str) -> str:
        query = dict(ctx.query)
        query["page"] = str(number)
        return f'<{ctx.api}{ctx.path}?{urlencode(query)}>; rel="{rel}"'

    links = []
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        links.append(link(1, "first"))
    return ApiResult(200, body, {"link": ", ".join(links)} if links else {})


def _org_repos(ctx: Context, match: re.Match[str]) -> ApiResult:
    org = ctx.world.account(match["org"])
    if org is None or not org.is_org:
        return not_found()
    repos = [r for r in ctx.world.owned_by(org.login) if ctx.world.can_see(ctx.user, r)]
    repos = _filter_type(repos, ctx.query.get("type", "all"), ctx)
    return _page(ctx, _sorted(repos, ctx, "created"))


def _user_repos(ctx: Context, match: re.Match[str]) -> ApiResult:
    account = ctx.world.account(match["username"])
    if account is None:
        return not_found()
    repos = ctx.world.owned_by(account.login)
    if account.login != ctx.user.login:
        repos = [r for r in repos if not r.private]
    kind = ctx.query.get("type", "owner")
    repos = _filter_type(repos, kind if kind != "owner" else "all", ctx)
    return _page(ctx, _sorted(repos, ctx, "full_name"))


def _integration_refused() -> ApiResult:
    return ApiResult(403, bodies.error(403, "Resource not accessible by integration"))


def _installation_repos(ctx: Context, _match: re.Match[str]) -> ApiResult:
    """``GET /installation/repositories``: an installation token's repositories."""
    if ctx.user.type != "Bot":
        message = (
            "You must authenticate with an installation access token in order to list "
            "repositories for an installation."
        )
        return ApiResult(403, bodies.error(403, message))
    repos = sorted(ctx.world.member_repos(ctx.user), key=lambda r: r.full_name.lower())
    page = _page(ctx, repos)
    body = {"total_count": len(repos), "repository_selection": "all", "repositories": page.body}
    return ApiResult(200, body, page.headers)


def _my_repos(ctx: Context, _match: re.Match[str]) -> ApiResult:
    if ctx.user.type == "Bot":
        return _integration_refused()
    repos = ctx.world.member_repos(ctx.user)
    visibility = ctx.query.get("visibility", "all")
    repos = _filter_type(repos, visibility if visibility != "all" else "all", ctx)
    repos = _filter_type(repos, ctx.query.get("type", "all"), ctx)
    return _page(ctx, _sorted(repos, ctx, "full_name"))


# -- accounts and rate limit ------------------------------------------------------------------


def _public_count(ctx: Context, login: str) -> int:
    return sum(1 for r in ctx.world.owned_by(login) if not r.private)


def _me(ctx: Context, _match: re.Match[str]) -> ApiResult:
    if ctx.user.type == "Bot":
        return _integration_refused()
    private = sum(1 for r in ctx.world.owned_by(ctx.user.login) if r.private)
    extras = {"total_private_repos": private, "owned_private_repos": private}
    public = _public_count(ctx, ctx.user.login)
    return ApiResult(200, bodies.user(ctx.user, ctx.api, public_repos=public, private=extras))


def _account(ctx: Context, match: re.Match[str]) -> ApiResult:
    account = ctx.world.account(match["username"])
    if account is None:
        return not_found()
    public = _public_count(ctx, account.login)
    return ApiResult(200, bodies.user(account, ctx.api, public_repos=public))


def _org(ctx: Context, match: re.Match[str]) -> ApiResult:
    org = ctx.world.account(match["org"])
    if org is None or not org.is_org:
        return not_found()
    private = sum(1 for r in ctx.world.owned_by(org.login) if r.private)
    body = bodies.organization(
        org, ctx.api, public_repos=_public_count(ctx, org.login), private_repos=private
    )
    return ApiResult(200, body)


#: (kind, pattern, handler); ``kind`` names the route in the statistics.
ROUTES: tuple[tuple[str, re.Pattern[str], Handler], ...] = (
    ("repo", re.compile(r"^/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)(?P<rest>/.*)?$"), _repo_route),
    ("repo", re.compile(r"^/repositories/(?P<id>\d+)(?P<rest>/.*)?$"), _by_id_route),
    ("org_repos", re.compile(r"^/orgs/(?P<org>[^/]+)/repos/?$"), _org_repos),
    ("user_repos", re.compile(r"^/users/(?P<username>[^/]+)/repos/?$"), _user_repos),
    ("my_repos", re.compile(r"^/user/repos/?$"), _my_repos),
    ("installation_repos", re.compile(r"^/installation/repositories/?$"), _installation_repos),
    ("user", re.compile(r"^/user/?$"), _me),
    ("account", re.compile(r"^/users/(?P<username>[^/]+)/?$"), _account),
    ("org", re.compile(r"^/orgs/(?P<org>[^/]+)/?$"), _org),
)


def route(path: str) -> tuple[str, re.Match[str], Handler] | None:
    for kind, pattern, handler in ROUTES:
        match = pattern.match(path)
        if match is not None:
            return kind, match, handler
    return None


def traffic_kind(path: str) -> str:
    """A finer statistics label for repository paths (``views``, ``clones``, ...)."""
    for suffix, label in (
        ("/traffic/views", "views"),
        ("/traffic/clones", "clones"),
        ("/traffic/popular/referrers", "referrers"),
        ("/traffic/popular/paths", "paths"),
        ("/stargazers", "stargazers"),
        ("/releases", "releases"),
    ):
        if path.rstrip("/").endswith(suffix):
            return label
    return "repo"

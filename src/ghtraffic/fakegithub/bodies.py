"""GitHub-shaped JSON bodies: repositories, users, organisations, rate limits and errors.

The shapes follow the ``full-repository``, ``minimal-repository``, ``simple-user``,
``private-user``/``public-user``, ``organization-full``, ``rate-limit-overview`` and
``basic-error`` schemas of GitHub's OpenAPI description (every required field present).
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from ghtraffic.fakegithub.facts import facts_at
from ghtraffic.fakegithub.world import Account, Repo

JSON = dict[str, Any]
DOCS = "https://docs.github.com/rest"
WEB = "https://github.com"


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def error(status: int, message: str, documentation_url: str = DOCS, **extra: str) -> JSON:
    return {
        "message": message,
        "documentation_url": documentation_url,
        **extra,
        "status": str(status),
    }


def _node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0:{kind}{number}".encode()).decode()


def simple_user(account: Account, api: str) -> JSON:
    u = f"{api}/users/{account.login}"
    return {
        "login": account.login,
        "id": account.id,
        "node_id": _node_id("User" if not account.is_org else "Organization", account.id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{account.id}?v=4",
        "gravatar_id": "",
        "url": u,
        "html_url": f"{WEB}/{account.login}",
        "followers_url": f"{u}/followers",
        "following_url": f"{u}/following{{/other_user}}",
        "gists_url": f"{u}/gists{{/gist_id}}",
        "starred_url": f"{u}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{u}/subscriptions",
        "organizations_url": f"{u}/orgs",
        "repos_url": f"{u}/repos",
        "events_url": f"{u}/events{{/privacy}}",
        "received_events_url": f"{u}/received_events",
        "type": account.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def user(account: Account, api: str, *, public_repos: int, private: JSON | None = None) -> JSON:
    """``public-user``; with ``private`` (the authenticated user's extras) ``private-user``."""
    body = simple_user(account, api)
    body.update(
        {
            "name": account.name,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "twitter_username": None,
            "public_repos": public_repos,
            "public_gists": 0,
            "followers": 3 * account.id,
            "following": 1,
            "created_at": iso(account.created_at),
            "updated_at": iso(account.created_at),
        }
    )
    if private is not None:
        body["user_view_type"] = "private"
        body.update(
            {
                "private_gists": 0,
                "disk_usage": 0,
                "collaborators": 0,
                "two_factor_authentication": True,
                **private,
            }
        )
    return body


def organization(account: Account, api: str, *, public_repos: int, private_repos: int) -> JSON:
    u = f"{api}/orgs/{account.login}"
    return {
        "login": account.login,
        "id": account.id,
        "node_id": _node_id("Organization", account.id),
        "url": u,
        "repos_url": f"{u}/repos",
        "events_url": f"{u}/events",
        "hooks_url": f"{u}/hooks",
        "issues_url": f"{u}/issues",
        "members_url": f"{u}/members{{/member}}",
        "public_members_url": f"{u}/public_members{{/member}}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{account.id}?v=4",
        "description": None,
        "name": account.login.replace("-", " ").title(),
        "blog": "",
        "is_verified": False,
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "html_url": f"{WEB}/{account.login}",
        "type": "Organization",
        "total_private_repos": private_repos,
        "owned_private_repos": private_repos,
        "created_at": iso(account.created_at),
        "updated_at": iso(account.created_at),
        "archived_at": None,
    }


def permissions(*, member: bool, push: bool) -> JSON:
    admin = member and push
    return {"admin": admin, "maintain": admin, "push": push, "triage": push, "pull": True}


def repository(repo: Repo, api: str, now: datetime, *, perms: JSON, full: bool) -> JSON:
    """A ``full-repository`` (single-repository call) or ``minimal-repository`` (listings)."""
    f = facts_at(repo, now)
    name = repo.full_name
    u = f"{api}/repos/{name}"
    body: JSON = {
        "id": repo.id,
        "node_id": _node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": name,
        "private": repo.private,
        "owner": simple_user(repo.owner, api),
        "html_url": f"{WEB}/{name}",
        "description": repo.description,
        "fork": repo.fork,
        "url": u,
        "forks_url": f"{u}/forks",
        "keys_url": f"{u}/keys{{/key_id}}",
        "collaborators_url": f"{u}/collaborators{{/collaborator}}",
        "teams_url": f"{u}/teams",
        "hooks_url": f"{u}/hooks",
        "issue_events_url": f"{u}/issues/events{{/number}}",
        "events_url": f"{u}/events",
        "assignees_url": f"{u}/assignees{{/user}}",
        "branches_url": f"{u}/branches{{/branch}}",
        "tags_url": f"{u}/tags",
        "blobs_url": f"{u}/git/blobs{{/sha}}",
        "git_tags_url": f"{u}/git/tags{{/sha}}",
        "git_refs_url": f"{u}/git/refs{{/sha}}",
        "trees_url": f"{u}/git/trees{{/sha}}",
        "statuses_url": f"{u}/statuses/{{sha}}",
        "languages_url": f"{u}/languages",
        "stargazers_url": f"{u}/stargazers",
        "contributors_url": f"{u}/contributors",
        "subscribers_url": f"{u}/subscribers",
        "subscription_url": f"{u}/subscription",
        "commits_url": f"{u}/commits{{/sha}}",
        "git_commits_url": f"{u}/git/commits{{/sha}}",
        "comments_url": f"{u}/comments{{/number}}",
        "issue_comment_url": f"{u}/issues/comments{{/number}}",
        "contents_url": f"{u}/contents/{{+path}}",
        "compare_url": f"{u}/compare/{{base}}...{{head}}",
        "merges_url": f"{u}/merges",
        "archive_url": f"{u}/{{archive_format}}{{/ref}}",
        "downloads_url": f"{u}/downloads",
        "issues_url": f"{u}/issues{{/number}}",
        "pulls_url": f"{u}/pulls{{/number}}",
        "milestones_url": f"{u}/milestones{{/number}}",
        "notifications_url": f"{u}/notifications{{?since,all,participating}}",
        "labels_url": f"{u}/labels{{/name}}",
        "releases_url": f"{u}/releases{{/id}}",
        "deployments_url": f"{u}/deployments",
        "created_at": iso(repo.created_at),
        "updated_at": iso(f.updated_at),
        "pushed_at": iso(f.pushed_at),
        "git_url": f"git://github.com/{name}.git",
        "ssh_url": f"git@github.com:{name}.git",
        "clone_url": f"{WEB}/{name}.git",
        "svn_url": f"{WEB}/{name}",
        "homepage": None,
        "size": f.size_kb,
        "stargazers_count": f.stars,
        "watchers_count": f.stars,
        "language": repo.language,
        "has_issues": True,
        "has_projects": True,
        "has_downloads": True,
        "has_wiki": True,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": f.forks,
        "mirror_url": None,
        "archived": repo.archived,
        "disabled": False,
        "open_issues_count": f.open_issues,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "web_commit_signoff_required": False,
        "topics": [],
        "visibility": "private" if repo.private else "public",
        "forks": f.forks,
        "open_issues": f.open_issues,
        "watchers": f.stars,
        "default_branch": "main",
        "permissions": perms,
    }
    if full:
        body["temp_clone_token"] = ""
        body["network_count"] = f.forks
        body["subscribers_count"] = f.subscribers
        if repo.owner.is_org:
            body["organization"] = simple_user(repo.owner, api)
    return body


def rate_limit(limit: int, remaining: int, reset: int) -> JSON:
    core = {"limit": limit, "remaining": remaining, "reset": reset, "used": limit - remaining}
    search = {"limit": 30, "remaining": 30, "reset": reset, "used": 0}
    graphql = {"limit": limit, "remaining": limit, "reset": reset, "used": 0}
    return {
        "resources": {"core": core, "search": search, "graphql": graphql},
        "rate": core,
    }

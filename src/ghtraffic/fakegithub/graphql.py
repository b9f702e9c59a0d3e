"""``POST /graphql``: queries executed (with graphql-core) against GitHub's own schema,
pruned to what ghtraffic asks (``github-schema.graphql``), over the fake's world.

A query GitHub's schema refuses gets GitHub's answer to it: ``200`` with ``errors`` and no
``data``. A repository the token cannot see is ``null`` with a ``NOT_FOUND`` error beside
the other repositories' data; renamed repositories are followed. GraphQL has its own rate
budget (``x-ratelimit-resource: graphql``): a query costs one point per hundred
connection requests it may need (every ``first`` reached), at least one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    execute_sync,
    parse,
    validate,
)

from ghtraffic.fakegithub import extras
from ghtraffic.fakegithub.facts import facts_at
from ghtraffic.fakegithub.world import Account, Repo, World


@cache
def schema() -> GraphQLSchema:
    """GitHub's schema as ghtraffic uses it, with the fake's resolvers."""
    text = resources.files("ghtraffic.fakegithub").joinpath("github-schema.graphql").read_text()
    built = build_schema(text)
    query = built.query_type
    assert query is not None
    query.fields["repository"].resolve = _repository
    query.fields["rateLimit"].resolve = lambda root, info: root["rate"]
    repository = built.type_map["Repository"]
    releases = repository.fields["releases"]  # type: ignore[attr-defined]
    releases.resolve = _releases
    assets = built.type_map["Release"].fields["releaseAssets"]  # type: ignore[attr-defined]
    assets.resolve = _assets
    return built


def cost(document: DocumentNode) -> int:
    """GitHub's rule: the requests needed to fill every connection (each ``first``
    reached), divided by 100, rounded, at least 1."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    def walk(selection_set: SelectionSetNode | None, parents: int) -> int:
        total = 0
        for node in selection_set.selections if selection_set is not None else ():
            if isinstance(node, FragmentSpreadNode):
                total += walk(fragments[node.name.value].selection_set, parents)
            elif isinstance(node, InlineFragmentNode):
                total += walk(node.selection_set, parents)
            elif isinstance(node, FieldNode):
                first = next(
                    (
                        int(a.value.value)
                        for a in node.arguments or ()
                        if a.name.value == "first" and isinstance(a.value, IntValueNode)
                    ),
                    None,
                )
                if first is None:
                    total += walk(node.selection_set, parents)
                else:
                    total += parents + walk(node.selection_set, parents * first)
        return total

    requests = sum(
        walk(d.selection_set, 1)
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )
    return max(1, round(requests / 100))


def answer(
    world: World, user: Account, now: datetime, body: Any, rate: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    """The answer to a GraphQL request body, and the points it costs."""
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return {"errors": [{"message": "A query attribute must be specified"}]}, 0
    try:
        document = parse(body["query"])
    except GraphQLError as error:
        return {"errors": [error.formatted]}, 0
    problems = validate(schema(), document)
    if problems:
        return {"errors": [p.formatted for p in problems]}, 0
    points = cost(document)
    result = execute_sync(
        schema(),
        document,
        root_value={"world": world, "user": user, "now": now, "rate": {**rate, "cost": points}},
        variable_values=body.get("variables") or {},
    )
    out: dict[str, Any] = {"data": result.data}
    if result.errors:
        out["errors"] = [
            {**e.formatted, "type": "NOT_FOUND"} if e.original_error is None else e.formatted
            for e in result.errors
        ]
    return out, points


def _repository(root: dict[str, Any], info: Any, owner: str, name: str, **_: Any) -> Any:
    world: World = root["world"]
    repo = world.repo(owner, name) or world.renamed(owner, name)
    if repo is None or not world.can_see(root["user"], repo):
        raise GraphQLError(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
    facts = facts_at(repo, root["now"])
    return {
        "repo": repo,
        "now": root["now"],
        "databaseId": repo.id,
        "nameWithOwner": repo.full_name,
        "isPrivate": repo.private,
        "isFork": repo.fork,
        "isArchived": repo.archived,
        "stargazerCount": facts.stars,
        "forkCount": facts.forks,
        "description": repo.description,
        "watchers": {"totalCount": facts.subscribers},
        "issues": {"totalCount": facts.open_issues},
    }


def _releases(parent: dict[str, Any], info: Any, first: int | None = None, **_: Any) -> Any:
    repo: Repo = parent["repo"]
    found = extras.releases(repo, parent["now"])  # newest first
    return {
        "totalCount": len(found),
        "nodes": [
            {"tagName": tag, "assets": assets} for tag, _, assets in found[: first or len(found)]
        ],
    }


def _assets(parent: dict[str, Any], info: Any, first: int | None = None, **_: Any) -> Any:
    assets = parent["assets"]
    return {
        "totalCount": len(assets),
        "nodes": [
            {"name": name, "downloadCount": count}
            for _, name, count in assets[: first or len(assets)]
        ],
    }


def reset_at(now: datetime) -> str:
    """The end of ``now``'s hour as GraphQL's ``resetAt``."""
    epoch = int(now.timestamp())
    return (
        datetime.fromtimestamp(epoch - epoch % 3600 + 3600, UTC).isoformat().replace("+00:00", "Z")
    )

"""Repository facts for up to 100 repositories in one GraphQL query, on GraphQL's own rate
budget instead of a REST call per repository: stars, forks, watchers, open issues,
archived, fork, private, the description, and the download counts of the newest releases'
assets.

A query asks each repository by owner and name (renames are followed). Its cost is about
``(1 + RELEASES) × repositories ÷ 100`` GraphQL points: 6 for a hundred repositories. A
repository with more releases or assets than one query reads says so
(``downloads_complete``): its releases are then read with the REST call, which an ETag
makes free while nothing changed. A repository GraphQL does not answer (not found, no
access) is missing from the result: read it with the REST call.
"""

from __future__ import annotations

from collections.abc import Sequence

from .client import GitHubClient
from .errors import BadResponse
from .hosts import graphql_url
from .parse import ASSETS, RELEASES, GraphFacts, parse_graph_facts

#: Repositories per query (GitHub allows 100 nodes per connection, and aliases per query).
BATCH = 100

FIELDS = f"""
fragment facts on Repository {{
  databaseId
  nameWithOwner
  isPrivate
  isFork
  isArchived
  stargazerCount
  forkCount
  description
  watchers {{ totalCount }}
  issues(states: [OPEN]) {{ totalCount }}
  releases(first: {RELEASES}, orderBy: {{field: CREATED_AT, direction: DESC}}) {{
    totalCount
    nodes {{
      tagName
      releaseAssets(first: {ASSETS}) {{ totalCount nodes {{ name downloadCount }} }}
    }}
  }}
}}
"""


def facts_query(count: int) -> str:
    """The query for ``count`` repositories, with variables ``o0, n0, o1, n1, …``."""
    variables = ", ".join(f"$o{i}: String!, $n{i}: String!" for i in range(count))
    fields = "\n".join(
        f"  r{i}: repository(owner: $o{i}, name: $n{i}) {{ ...facts }}" for i in range(count)
    )
    return (
        f"query RepositoryFacts({variables}) {{\n"
        "  rateLimit { cost limit remaining resetAt used }\n"
        f"{fields}\n}}\n{FIELDS}"
    )


async def repository_facts(
    client: GitHubClient, names: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], GraphFacts]:
    """The facts of each ``(owner, name)`` GraphQL answered, keyed by the name asked
    (lower case); one query per ``BATCH`` repositories."""
    found: dict[tuple[str, str], GraphFacts] = {}
    for start in range(0, len(names), BATCH):
        batch = names[start : start + BATCH]
        variables: dict[str, str] = {}
        for i, (owner, name) in enumerate(batch):
            variables[f"o{i}"], variables[f"n{i}"] = owner, name
        response = await client.post(
            graphql_url(client.api_url),
            {"query": facts_query(len(batch)), "variables": variables},
            what="repository facts (GraphQL)",
        )
        data = response.data.get("data") if isinstance(response.data, dict) else None
        if not isinstance(data, dict):
            raise BadResponse.wrong_shape("GraphQL answered without data")
        for i, (owner, name) in enumerate(batch):
            node = data.get(f"r{i}")
            if isinstance(node, dict):
                found[(owner.lower(), name.lower())] = parse_graph_facts(node)
    return found

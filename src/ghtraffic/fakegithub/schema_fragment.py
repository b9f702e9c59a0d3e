"""Prune GitHub's public GraphQL schema to the fields ghtraffic asks for (what
``scripts/graphql-fragment`` writes to ``github-schema.graphql``). Types, arguments and
descriptions are GitHub's own; only what is not used is left out."""

from __future__ import annotations

import sys
from pathlib import Path

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    build_schema,
    print_schema,
)

#: Per object type, the fields kept and, per field, the arguments kept.
KEPT: dict[str, dict[str, tuple[str, ...]]] = {
    "Query": {"repository": ("owner", "name", "followRenames"), "rateLimit": ()},
    "Repository": {
        "databaseId": (),
        "nameWithOwner": (),
        "isPrivate": (),
        "isFork": (),
        "isArchived": (),
        "stargazerCount": (),
        "forkCount": (),
        "watchers": (),
        "issues": ("states",),
        "description": (),
        "releases": ("first", "orderBy"),
    },
    "UserConnection": {"totalCount": ()},
    "IssueConnection": {"totalCount": ()},
    "ReleaseConnection": {"totalCount": (), "nodes": ()},
    "Release": {"tagName": (), "releaseAssets": ("first",)},
    "ReleaseAssetConnection": {"totalCount": (), "nodes": ()},
    "ReleaseAsset": {"name": (), "downloadCount": ()},
    "RateLimit": {"cost": (), "limit": (), "remaining": (), "resetAt": (), "used": ()},
}


def prune(full: GraphQLSchema) -> GraphQLSchema:
    made: dict[str, GraphQLObjectType] = {}

    def convert(kind: GraphQLType) -> GraphQLType:
        if isinstance(kind, GraphQLNonNull):
            return GraphQLNonNull(convert(kind.of_type))  # type: ignore[type-var]
        if isinstance(kind, GraphQLList):
            return GraphQLList(convert(kind.of_type))
        if isinstance(kind, GraphQLObjectType):
            return kept(kind.name)
        return kind  # scalars, enums and input objects as GitHub defines them

    def kept(name: str) -> GraphQLObjectType:
        if name not in made:
            source = full.type_map[name]
            assert isinstance(source, GraphQLObjectType)

            def fields(source: GraphQLObjectType = source) -> dict[str, GraphQLField]:
                return {
                    field: GraphQLField(
                        convert(source.fields[field].type),  # type: ignore[arg-type]
                        args={a: source.fields[field].args[a] for a in args},
                        description=source.fields[field].description,
                    )
                    for field, args in KEPT[name].items()
                }

            made[name] = GraphQLObjectType(name, fields, description=source.description)
        return made[name]

    return GraphQLSchema(query=kept("Query"))


def main(argv: list[str]) -> None:
    path, version = Path(argv[0]), argv[1]
    # GitHub's published schema defines a few fields twice; the last definition is kept.
    full = build_schema(path.read_text(), assume_valid_sdl=True)
    print(f"# GitHub's public GraphQL schema (npm package @octokit/graphql-schema {version},")
    print("# MIT licence, (c) GitHub), pruned by scripts/graphql-fragment to the types and fields")
    print("# ghtraffic asks for. Types, arguments and descriptions are GitHub's, unchanged.")
    print()
    print(print_schema(prune(full)))


if __name__ == "__main__":
    main(sys.argv[1:])

"""The GraphQL documents the Railway provider sends (queries only; see schema.graphql).

Sizes are assumptions (Railway documents no complexity limit): nested connections ask for at
most PAGE items, a project page holds PROJECTS_PAGE projects with their whole bundle, and a
batch request holds at most BATCH_FIELDS aliased root fields. These are starting sizes: the
puller halves them when an answer looks like a size or complexity limit. A truncated nested
connection is completed by a follow-up query that pages through that connection alone.

Every document here validates against Railway's real public schema as well as schema.graphql
(tests/providers/railway/test_queries.py).
"""

from __future__ import annotations

from functools import lru_cache

PAGE = 100
PROJECTS_PAGE = 50
BATCH_FIELDS = 300

PAGE_INFO = "pageInfo { hasNextPage endCursor }"

#: Node selections per connection, reused by the bundle and by follow-up queries.
NODE_FIELDS = {
    "environments": "id name isEphemeral createdAt canAccess",  # env connections are added in the bundle
    "services": "id name createdAt",
    "volumes": "id name createdAt",
    "buckets": "id name createdAt",
    "serviceInstances": "id serviceId serviceName environmentId region source { image repo }",
    "volumeInstances": "id volumeId environmentId serviceId mountPath sizeMB currentSizeMB state region "
    "isPendingDeletion createdAt deletedAt",
    "variables": "id name isSealed environmentId serviceId",
    "projectTokens": "id name projectId environmentId createdAt",
    "apiTokens": "id name workspaceId expiresAt",
}
ENV_CONNECTIONS = ("serviceInstances", "volumeInstances", "variables")
PROJECT_CONNECTIONS = ("environments", "services", "volumes", "buckets")


def _conn(name: str, node: str, args: str = f"first: {PAGE}") -> str:
    return f"{name}({args}) {{ edges {{ node {{ {node} }} }} {PAGE_INFO} }}"


ENV_BUNDLE = NODE_FIELDS["environments"] + " " + " ".join(_conn(c, NODE_FIELDS[c]) for c in ENV_CONNECTIONS)


def project_bundle(env_selection: str = ENV_BUNDLE) -> str:
    return (
        "id name createdAt workspaceId "
        + _conn("environments", env_selection)
        + " "
        + " ".join(_conn(c, NODE_FIELDS[c]) for c in PROJECT_CONNECTIONS if c != "environments")
    )


PROJECT_BUNDLE = project_bundle()
#: A project without its environments' nested connections: what is left to read when one
#: environment's connections cannot be read (a restricted environment nulls the whole bundle).
PROJECT_OUTLINE = project_bundle(NODE_FIELDS["environments"])

RATE_LIMIT = "apiTokenRateLimit { remainingPoints resetsAt }"
#: Identity with the caller's role in each workspace (members matched to me.id) and the quota.
ME = (
    f"query Me {{ me {{ id name email {RATE_LIMIT} workspaces {{ id name members {{ id role }} }} }} "
    + _conn("apiTokens", NODE_FIELDS["apiTokens"])
    + " }"
)
#: The same without roles: members is non-null, so when it cannot be read the whole `me` is null.
ME_WITHOUT_ROLES = (
    "query MeWithoutRoles { me { id name email workspaces { id name } } "
    + _conn("apiTokens", NODE_FIELDS["apiTokens"])
    + " }"
)
#: Projects shared with the user by invitation live in workspaces the user is not a member of.
EXTERNAL_WORKSPACES = (
    "query ExternalWorkspaces { externalWorkspaces { id name has2FAEnforcement projects { id name } } }"
)
API_TOKENS_PAGE = (
    "query ApiTokensPage($after: String) { "
    + _conn("apiTokens", NODE_FIELDS["apiTokens"], f"first: {PAGE}, after: $after")
    + " }"
)
TOKEN_WORKSPACES = "query TokenWorkspaces { apiToken { workspaces { id name } } }"
PROJECT_TOKEN_SCOPE = "query ProjectTokenScope { projectToken { id name projectId environmentId createdAt } }"

PROJECTS_PAGE_QUERY = (
    "query ProjectsPage($workspaceId: String!, $first: Int!, $after: String) { "
    f"workspace(workspaceId: $workspaceId) {{ id name has2FAEnforcement {RATE_LIMIT} }} "
    "projects(workspaceId: $workspaceId, first: $first, after: $after) { "
    f"edges {{ node {{ {PROJECT_BUNDLE} }} }} {PAGE_INFO} }} }}"
)
PROJECT_QUERY = f"query ProjectBundle($id: String!) {{ project(id: $id) {{ {PROJECT_BUNDLE} }} }}"
PROJECT_OUTLINE_QUERY = f"query ProjectOutline($id: String!) {{ project(id: $id) {{ {PROJECT_OUTLINE} }} }}"
PROJECTS_OUTLINE_PAGE = (
    "query ProjectsOutlinePage($workspaceId: String!, $first: Int!, $after: String) { "
    "projects(workspaceId: $workspaceId, first: $first, after: $after) { "
    f"edges {{ node {{ id name }} }} {PAGE_INFO} }} }}"
)
ENVIRONMENT_QUERY = f"query EnvironmentBundle($id: String!) {{ environment(id: $id) {{ {ENV_BUNDLE} }} }}"


def follow_up(parent: str, connection: str, outline: bool = False) -> str:
    """Page through one connection of one project or environment (after a truncated page);
    `outline`: environments without their nested connections."""
    node = NODE_FIELDS[connection]
    if connection == "environments" and not outline:
        node = ENV_BUNDLE
    name = f"{parent.capitalize()}{connection[0].upper()}{connection[1:]}{'Outline' if outline else ''}Page"
    return (
        f"query {name}($id: String!, $after: String) {{ {parent}(id: $id) {{ "
        + _conn(connection, node, f"first: {PAGE}, after: $after")
        + " } }"
    )


PROJECT_TOKENS_PAGE = (
    "query ProjectTokensPage($projectId: String!, $after: String) { "
    + _conn("projectTokens", NODE_FIELDS["projectTokens"], f"projectId: $projectId, first: {PAGE}, after: $after")
    + " }"
)

BACKUP_FIELDS = "id name createdAt expiresAt scheduleId usedMB referencedMB creatorId"
SCHEDULE_FIELDS = "id name cron kind retentionSeconds"

#: Batch item kinds: (root field, argument names, selection, fragment). Every variable is a String.
FRAGMENTS = {
    "B": f"fragment B on VolumeInstanceBackup {{ {BACKUP_FIELDS} }}",
    "S": f"fragment S on VolumeInstanceBackupSchedule {{ {SCHEDULE_FIELDS} }}",
    "T": f"fragment T on QueryProjectTokensConnection {{ edges {{ node {{ {NODE_FIELDS['projectTokens']} }} }} "
    f"{PAGE_INFO} }}",
}
BATCH_KINDS = {
    "backups": ("volumeInstanceBackupList", ("volumeInstanceId",), "{ ...B }", "B"),
    "schedules": ("volumeInstanceBackupScheduleList", ("volumeInstanceId",), "{ ...S }", "S"),
    "tokens": ("projectTokens", ("projectId",), "{ ...T }", "T"),
    "values": ("variables", ("projectId", "environmentId", "serviceId"), "", None),
}


def batch_query(items: list[tuple[str, tuple[str | None, ...]]]) -> tuple[str, dict[str, str | None]]:
    """One document with an aliased root field `i<n>` per item (kind, argument values), and its
    variables. Ids travel as GraphQL variables, never interpolated into the document; a value
    used twice (a volume instance's backups and schedules) shares one variable, and selections
    are fragments, which keeps the document small and quick to parse and validate.

    The document depends only on the batch's shape (each item's kind and which variable each
    argument uses), so it is written once per shape: a pull's full batches share one, and the
    same string object lets the client's read-only check find it by identity."""
    variables: dict[str, str | None] = {}
    slots: dict[tuple[str | None, bool], str] = {}
    shape: list[tuple[str, tuple[str, ...]]] = []
    for kind, values in items:
        if len(values) == 1:  # backups, schedules, tokens: one required id (the hot path)
            key = (values[0], True)
            var = slots.get(key)
            if var is None:
                var = slots[key] = _var_name(len(slots))
                variables[var] = values[0]
            shape.append((kind, (var,)))
            continue
        refs = []
        for value, required in zip(values, _REQUIRED[kind], strict=False):
            key = (value, required)
            var = slots.get(key)
            if var is None:
                var = slots[key] = _var_name(len(slots))
                variables[var] = value
            refs.append(var)
        shape.append((kind, tuple(refs)))
    return _batch_document(tuple(shape)), variables


_VAR_NAMES = [f"a{i}" for i in range(2 * BATCH_FIELDS)]


def _var_name(i: int) -> str:
    return _VAR_NAMES[i] if i < len(_VAR_NAMES) else f"a{i}"


#: per batch item kind, whether each argument is required (String!); only a service id may be null
_REQUIRED = {
    kind: tuple(not (kind == "values" and arg == "serviceId") for arg in spec[1]) for kind, spec in BATCH_KINDS.items()
}


@lru_cache(maxsize=64)
def _batch_document(shape: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    params: list[str] = []
    declared: set[str] = set()
    fields: list[str] = []
    used: set[str] = set()
    for i, (kind, refs) in enumerate(shape):
        root, arg_names, selection, fragment = BATCH_KINDS[kind]
        if fragment:
            used.add(fragment)
        args = []
        for arg, var in zip(arg_names, refs, strict=False):
            if var not in declared:
                declared.add(var)
                required = not (kind == "values" and arg == "serviceId")
                params.append(f"${var}: String{'!' if required else ''}")
            args.append(f"{arg}: ${var}")
        if kind == "tokens":
            args.append(f"first: {PAGE}")
        fields.append(f"i{i}: {root}({', '.join(args)}) {selection}".rstrip())
    frags = " ".join(FRAGMENTS[f] for f in sorted(used))
    return f"query AuditBatch({', '.join(params)}) {{ {' '.join(fields)} }} {frags}".rstrip()

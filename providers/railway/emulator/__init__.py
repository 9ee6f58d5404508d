"""A local Railway public-API emulator for tests, benchmarks and demos (fake data only).

API (stable; other tests rely on it)
------------------------------------
Data model — `providers.railway.emulator.model`, re-exported here; plain dataclasses:

    Account(user_id, user_name, email, workspaces=[Workspace], api_tokens=[ApiToken])
      .token                      secret of the first account-level API token (for RAILWAY_API_TOKEN)
      .projects() / .project(name_or_id) / .environment(project, name_or_id) / .volume_instance(id)
      .secrets()                  every secret string in the account (must never leak)
    Workspace(id, name, projects=[Project], has_2fa_enforcement=False)
    Project(id, name, workspace_id, environments=[Environment], services=[Service],
            volumes=[Volume], variables=[Variable], tokens=[ProjectToken])
    Environment(id, name, is_ephemeral=False)
    Service(id, name, environment_ids=[...], image=None, repo=None)   # one instance per environment id
    Volume(id, name, instances=[VolumeInstance])                      # project-level
    VolumeInstance(id, volume_id, environment_id, service_id, mount_path, size_mb, state="READY",
                   is_pending_deletion=False, backups=[Backup], schedules=[Schedule])
    Backup(id, name, created_at, expires_at=None, schedule_id=None, ...)   # ISO-8601 strings
    Schedule(id, kind)                                                # DAILY | WEEKLY | MONTHLY
    Variable(id, name, environment_id, service_id, value, is_sealed=False)
    ProjectToken(id, name, environment_id, secret)
    ApiToken(id, name, secret, workspace_id=None, expires_at=None)    # workspace_id None: account token

    Account.roles {workspace id: ADMIN|MEMBER|VIEWER} (absent: ADMIN), .members_hidden (members
    answer "Not Authorized"), .external_workspaces (projects shared by invitation);
    Environment.restricted (environment RBAC: canAccess false for non-admins); Project.buckets
    [Bucket(id, name)].

  Mutation helpers (call between pulls; names or ids accepted where it says so):
    account.set_role(workspace, role); account.restrict_environment(project, environment)
    account.add_bucket(project, name) -> Bucket
    account.enable_pitr(project, environment, service) -> Bucket   ("Postgres-PITR" + WAL_ARCHIVE_* names)
    account.share_project(workspace_name, project_name) -> Project (an external workspace)
    account.add_project_token(project, environment, name) -> ProjectToken   (alias: add_token)
    account.remove_project_token(token_id_or_name)
    account.add_api_token(name, workspace_id=None, expires_at=None) -> ApiToken
    account.add_backup(volume_instance_id, created_at, name=None, expires_at=None, schedule_id=None) -> Backup
    account.delete_backup(backup_id);  account.move_backup_off_volume(backup_id)  (same effect)
    account.set_schedules(volume_instance_id, ["DAILY", ...])
    account.add_variable(project, environment, name, value, service=None, sealed=False) -> Variable
    account.remove_variable(project, name, environment=None)
    account.split_shared_volume(project, volume, environment) -> Volume   (fixes storage sharing)

  Builders:
    generate_account(seed=0, workspaces=1, projects=2, environments=2, volumes=1, backups=2, *,
                     services=1, variables=1, project_tokens=1, ephemeral=0, shared_volumes=True,
                     schedules=True, now=None) -> Account        deterministic for a seed
    incident_account() -> Account     samples/pocketos as Railway shows it (see its docstring);
                                      INCIDENT_SECRET / INCIDENT_LEAKED_TOKEN are planted values

Server — `EmulatorServer(account, latency=0.0, budget=None, faults=None, *, port=0,
                         budget_retry_after=3600, rate_limit=1000, cache=False,
                         rate_limit_reset=3600.0)`:
    with EmulatorServer(acct) as srv:      # real HTTP on 127.0.0.1, random port, background thread
        srv.url                            # http://127.0.0.1:PORT/graphql/v2 -> --endpoint
        srv.requests                       # [RequestRecord(operation_name, operation_type,
                                           #   root_fields, status, auth, fault, body)]
        srv.mutations                      # the records whose operation was a mutation (should be [])
        srv.inject(kind, operation=None, times=None, **params) -> Fault
        srv.clear_faults(); srv.reset_log()
  `latency` is the minimum time to answer each request (seconds). Every answer carries
  X-RateLimit-Limit (rate_limit), X-RateLimit-Remaining (rate_limit minus requests so far, not
  enforced) and X-RateLimit-Reset (epoch seconds, rate_limit_reset from now). `budget` N: request N+1 and
  later get HTTP 429 with Retry-After: budget_retry_after. The account is read live on every
  request (and `srv.account = other` swaps it), so mutating it between pulls changes the next
  answer — unless `cache=True`, which memoises each answer per (document, variables, token)
  for benchmarks (keeps the emulator's
  own CPU out of client timings; do not mutate the account while it is on).
  Fault kinds (Fault(kind, operation=None, times=None, ...)); `operation` matches the request's
  operationName, `times=None` hits every matching request, `times=N` the first N (then succeed):
    status (status=503)   timeout (delay=2.0)   disconnect   malformed_json   html (403 page)
    graphql_error (message="Not Authorized": HTTP 200, data null)
    field_error (field=None: null that root field/alias, or every other one, plus errors[])
    truncate (page_size=1)   broken_cursor (truncated page without endCursor)
    rate_limit (retry_after=1: HTTP 429 + Retry-After)
    mangle (path="projects.edges", action="null" | "duplicate": a hostile answer outside the
            schema — null where a list is promised, or a list item twice; `*` matches every item)
  Strictness: every document is parsed and validated with graphql-core against
  providers/railway/schema.graphql (unknown fields, missing or mistyped arguments → HTTP 400
  with errors[]); mutations are validated, recorded and refused; `first` above 100 and
  backward paging are errors; tokens are checked (Authorization: Bearer for account/workspace
  tokens, Project-Access-Token for project tokens) and scope what each query can see —
  "Not Authorized" otherwise, as Railway answers.

CLI: `python -m providers.railway.emulator --fixture incident|generated [--port N] [--seed S]
      [--projects P --environments E --volumes V --backups B] [--latency SECONDS] [--budget N] [--cache]`
prints the URL and the token to use, and serves until interrupted.
"""

from providers.railway.emulator.model import (
    INCIDENT_LEAKED_TOKEN,
    INCIDENT_PROJECT_TOKEN,
    INCIDENT_SECRET,
    Account,
    ApiToken,
    Backup,
    Bucket,
    Environment,
    Project,
    ProjectToken,
    Schedule,
    Service,
    Variable,
    Volume,
    VolumeInstance,
    Workspace,
    generate_account,
    incident_account,
)
from providers.railway.emulator.server import FAULT_KINDS, EmulatorServer, Fault, RequestRecord

__all__ = [
    "Account",
    "ApiToken",
    "Backup",
    "Bucket",
    "EmulatorServer",
    "Environment",
    "FAULT_KINDS",
    "Fault",
    "INCIDENT_LEAKED_TOKEN",
    "INCIDENT_PROJECT_TOKEN",
    "INCIDENT_SECRET",
    "Project",
    "ProjectToken",
    "RequestRecord",
    "Schedule",
    "Service",
    "Variable",
    "Volume",
    "VolumeInstance",
    "Workspace",
    "generate_account",
    "incident_account",
]

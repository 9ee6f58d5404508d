"""The emulator's account: plain dataclasses a test builds, mutates between runs and serves.

Everything here is fake data. Secret strings (token values, variable values) exist only so the
emulator can authenticate requests and answer the opt-in `variables` query; tests plant them to
prove they never leave the provider.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

SCHEDULE_RETENTION = {"DAILY": 6 * 86400, "WEEKLY": 30 * 86400, "MONTHLY": 90 * 86400}
SCHEDULE_CRON = {"DAILY": "0 3 * * *", "WEEKLY": "0 3 * * 0", "MONTHLY": "0 3 1 * *"}

#: (image, data path) of the database templates the generator places.
DATABASE_IMAGES = {
    "postgres": ("ghcr.io/railwayapp-templates/postgres-ssl:16", "/var/lib/postgresql/data"),
    "mysql": ("mysql:8", "/var/lib/mysql"),
    "mongodb": ("mongo:7", "/data/db"),
    "redis": ("redis:7", "/data"),
}


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Backup:
    id: str
    name: str | None
    created_at: str
    expires_at: str | None = None
    schedule_id: str | None = None  # None: a manual backup
    used_mb: int | None = None
    referenced_mb: int | None = None
    creator_id: str | None = None


@dataclass
class Schedule:
    id: str
    kind: str  # DAILY | WEEKLY | MONTHLY
    name: str = ""
    cron: str = ""
    retention_seconds: int | None = None
    created_at: str = "2026-01-01T00:00:00Z"

    def __post_init__(self) -> None:
        self.name = self.name or self.kind.lower()
        self.cron = self.cron or SCHEDULE_CRON[self.kind]
        if self.retention_seconds is None:
            self.retention_seconds = SCHEDULE_RETENTION[self.kind]


@dataclass
class VolumeInstance:
    id: str
    volume_id: str
    environment_id: str
    service_id: str | None
    mount_path: str
    size_mb: int = 5000
    current_size_mb: float = 0.0
    state: str | None = "READY"
    region: str | None = "us-west2"
    is_pending_deletion: bool = False
    created_at: str = "2026-01-01T00:00:00Z"
    deleted_at: str | None = None
    backups: list[Backup] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)


@dataclass
class Volume:
    id: str
    name: str
    created_at: str = "2026-01-01T00:00:00Z"
    instances: list[VolumeInstance] = field(default_factory=list)


@dataclass
class Environment:
    id: str
    name: str
    is_ephemeral: bool = False
    created_at: str = "2026-01-01T00:00:00Z"
    #: environment RBAC: only workspace admins (and workspace tokens) may access it
    restricted: bool = False


@dataclass
class Bucket:
    id: str
    name: str
    created_at: str = "2026-01-01T00:00:00Z"


@dataclass
class Service:
    """A service and the environments it has an instance in (one ServiceInstance each)."""

    id: str
    name: str
    environment_ids: list[str] = field(default_factory=list)
    image: str | None = None
    repo: str | None = None
    created_at: str = "2026-01-01T00:00:00Z"


@dataclass
class Variable:
    id: str
    name: str
    environment_id: str
    service_id: str | None  # None: a shared (environment-level) variable
    value: str
    is_sealed: bool = False


@dataclass
class ProjectToken:
    id: str
    name: str
    environment_id: str
    secret: str
    created_at: str = "2026-01-01T00:00:00Z"


@dataclass
class Project:
    id: str
    name: str
    workspace_id: str
    created_at: str = "2026-01-01T00:00:00Z"
    environments: list[Environment] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    tokens: list[ProjectToken] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)

    def volume_instances(self) -> Iterator[VolumeInstance]:
        for vol in self.volumes:
            yield from vol.instances


@dataclass
class Workspace:
    id: str
    name: str
    projects: list[Project] = field(default_factory=list)
    has_2fa_enforcement: bool = False
    created_at: str = "2026-01-01T00:00:00Z"


@dataclass
class ApiToken:
    """An account token (workspace_id None) or a workspace token."""

    id: str
    name: str
    secret: str
    workspace_id: str | None = None
    expires_at: str | None = None


@dataclass
class Account:
    """One Railway user: their workspaces and API tokens.

    `token` is the secret of the first account-level API token: what a test puts in
    RAILWAY_API_TOKEN. Mutation helpers below let tests change the account between pulls.
    """

    user_id: str
    user_name: str
    email: str
    workspaces: list[Workspace] = field(default_factory=list)
    api_tokens: list[ApiToken] = field(default_factory=list)
    #: the user's role per workspace id (ADMIN | MEMBER | VIEWER); absent: ADMIN
    roles: dict[str, str] = field(default_factory=dict)
    #: workspaces the user is not a member of but has projects shared with them (by invitation)
    external_workspaces: list[Workspace] = field(default_factory=list)
    #: Workspace.members answers "Not Authorized" (roles cannot be read)
    members_hidden: bool = False
    _counter: int = 0

    # ------------------------------------------------------------------ lookups
    @property
    def token(self) -> str:
        for tok in self.api_tokens:
            if tok.workspace_id is None:
                return tok.secret
        raise LookupError("account has no account-level API token")

    def projects(self) -> Iterator[Project]:
        for ws in self.workspaces + self.external_workspaces:
            yield from ws.projects

    def role(self, workspace_id: str) -> str | None:
        """The user's role in a workspace they are a member of (None: not a member)."""
        if any(w.id == workspace_id for w in self.workspaces):
            return self.roles.get(workspace_id, "ADMIN")
        return None

    def project(self, name_or_id: str) -> Project:
        for p in self.projects():
            if name_or_id in (p.id, p.name):
                return p
        raise KeyError(name_or_id)

    def environment(self, project: str, name_or_id: str) -> Environment:
        for env in self.project(project).environments:
            if name_or_id in (env.id, env.name):
                return env
        raise KeyError(name_or_id)

    def volume_instance(self, vi_id: str) -> VolumeInstance:
        for p in self.projects():
            for vi in p.volume_instances():
                if vi.id == vi_id:
                    return vi
        raise KeyError(vi_id)

    def secrets(self) -> list[str]:
        """Every secret string in the account (token and variable values): what must never leak."""
        out = [t.secret for t in self.api_tokens]
        for p in self.projects():
            out += [t.secret for t in p.tokens] + [v.value for v in p.variables]
        return out

    def new_id(self, prefix: str = "") -> str:
        self._counter += 1
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"emulator:{self.user_id}:{prefix}:{self._counter}"))

    # ------------------------------------------------------------------ mutations for tests
    def set_role(self, workspace: str, role: str) -> None:
        """The user's role in a workspace (name or id): ADMIN | MEMBER | VIEWER."""
        ws = next(w for w in self.workspaces if workspace in (w.id, w.name))
        self.roles[ws.id] = role

    def restrict_environment(self, project: str, environment: str) -> Environment:
        """Environment RBAC: only workspace admins (and workspace tokens) may access it."""
        env = self.environment(project, environment)
        env.restricted = True
        return env

    def add_bucket(self, project: str, name: str) -> Bucket:
        bucket = Bucket(self.new_id("bkt"), name)
        self.project(project).buckets.append(bucket)
        return bucket

    def enable_pitr(self, project: str, environment: str, service: str) -> Bucket:
        """Postgres point-in-time recovery as Railway sets it up: a "Postgres-PITR" bucket in the
        project and WAL_ARCHIVE_* variables on the database service."""
        proj = self.project(project)
        bucket = next((b for b in proj.buckets if b.name.startswith("Postgres-PITR")), None) or self.add_bucket(
            proj.id, "Postgres-PITR"
        )
        for name in (
            "WAL_ARCHIVE_BUCKET",
            "WAL_ARCHIVE_ENDPOINT",
            "WAL_ARCHIVE_ACCESS_KEY_ID",
            "WAL_ARCHIVE_SECRET_ACCESS_KEY",
        ):
            self.add_variable(proj.id, environment, name, f"pitr-{self.new_id('s')}", service=service)
        return bucket

    def share_project(self, workspace_name: str, project_name: str) -> Project:
        """A project in another user's workspace shared with this user by invitation."""
        ws = Workspace(self.new_id("xws"), workspace_name)
        proj = Project(self.new_id("xproj"), project_name, ws.id)
        proj.environments.append(Environment(self.new_id("xenv"), "production"))
        ws.projects.append(proj)
        self.external_workspaces.append(ws)
        return proj

    def add_project_token(self, project: str, environment: str, name: str) -> ProjectToken:
        """Create a project token scoped to one environment of a project (names or ids)."""
        proj = self.project(project)
        env = self.environment(proj.id, environment)
        tok = ProjectToken(self.new_id("ptok"), name, env.id, secret=f"emu-ptok-{self.new_id('s')}")
        proj.tokens.append(tok)
        return tok

    def add_token(self, project: str, environment: str, name: str) -> ProjectToken:
        """Alias of add_project_token."""
        return self.add_project_token(project, environment, name)

    def remove_project_token(self, token_id_or_name: str) -> None:
        for p in self.projects():
            p.tokens = [t for t in p.tokens if token_id_or_name not in (t.id, t.name)]

    def add_api_token(self, name: str, workspace_id: str | None = None, expires_at: str | None = None) -> ApiToken:
        tok = ApiToken(self.new_id("atok"), name, f"emu-atok-{self.new_id('s')}", workspace_id, expires_at)
        self.api_tokens.append(tok)
        return tok

    def add_backup(
        self,
        volume_instance_id: str,
        created_at: str,
        name: str | None = None,
        expires_at: str | None = None,
        schedule_id: str | None = None,
    ) -> Backup:
        backup = Backup(self.new_id("bkp"), name, created_at, expires_at, schedule_id, used_mb=100, referenced_mb=100)
        self.volume_instance(volume_instance_id).backups.append(backup)
        return backup

    def delete_backup(self, backup_id: str) -> None:
        for p in self.projects():
            for vi in p.volume_instances():
                vi.backups = [b for b in vi.backups if b.id != backup_id]

    def set_schedules(self, volume_instance_id: str, kinds: list[str]) -> None:
        vi = self.volume_instance(volume_instance_id)
        vi.schedules = [Schedule(self.new_id("sch"), k) for k in kinds]

    def add_variable(
        self, project: str, environment: str, name: str, value: str, service: str | None = None, sealed: bool = False
    ) -> Variable:
        proj = self.project(project)
        env = self.environment(proj.id, environment)
        service_id = None
        if service is not None:
            service_id = next(s.id for s in proj.services if service in (s.id, s.name))
        var = Variable(self.new_id("var"), name, env.id, service_id, value, sealed)
        proj.variables.append(var)
        return var

    def remove_variable(self, project: str, name: str, environment: str | None = None) -> None:
        proj = self.project(project)
        env_id = self.environment(proj.id, environment).id if environment else None
        proj.variables = [v for v in proj.variables if not (v.name == name and env_id in (None, v.environment_id))]

    def split_shared_volume(self, project: str, volume: str, environment: str) -> Volume:
        """Give `environment` its own volume: its instance of the shared `volume` moves to a new
        project-level volume (what fixes storage-shared-across-environments)."""
        proj = self.project(project)
        env = self.environment(proj.id, environment)
        vol = next(v for v in proj.volumes if volume in (v.id, v.name))
        moving = [vi for vi in vol.instances if vi.environment_id == env.id]
        vol.instances = [vi for vi in vol.instances if vi.environment_id != env.id]
        new = Volume(self.new_id("vol"), f"{vol.name}-{env.name}", vol.created_at, moving)
        for vi in moving:
            vi.volume_id = new.id
        proj.volumes.append(new)
        return new

    def move_backup_off_volume(self, backup_id: str) -> None:
        """The backup no longer lives on its volume (e.g. exported elsewhere): Railway no longer
        lists it, so it disappears from the pull. Same effect as delete_backup; named for tests
        that model "this copy went somewhere else"."""
        self.delete_backup(backup_id)


# ---------------------------------------------------------------------- generator
def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


ENV_NAMES = ["production", "staging", "development", "qa", "uat", "demo", "sandbox", "perf"]


def generate_account(
    seed: int = 0,
    workspaces: int = 1,
    projects: int = 2,
    environments: int = 2,
    volumes: int = 1,
    backups: int = 2,
    *,
    services: int = 1,
    variables: int = 1,
    project_tokens: int = 1,
    ephemeral: int = 0,
    shared_volumes: bool = True,
    schedules: bool = True,
    now: datetime | None = None,
) -> Account:
    """A deterministic random account: `workspaces` × `projects` (per workspace) ×
    `environments` (+ `ephemeral` PR environments) with `volumes` project-level volumes per
    project, each with one instance per environment (or, with shared_volumes=False, each volume
    in one environment only), `backups` backups per volume instance, `services` app services
    per environment, `variables` variables per service, and `project_tokens` per project.
    Every other volume belongs to a database service (postgres/mysql/mongodb/redis images at
    their data paths); the rest are mounted by app services.
    """
    rng = random.Random(seed)
    now = now or datetime(2026, 11, 1, tzinfo=UTC)
    acct = Account(_uuid(rng), f"user-{seed}", f"user{seed}@example.test")
    acct.api_tokens.append(ApiToken(_uuid(rng), "audit", f"emu-account-token-{seed}-{rng.getrandbits(48):x}"))
    engines = list(DATABASE_IMAGES)
    for w in range(workspaces):
        ws = Workspace(_uuid(rng), f"workspace-{w}", has_2fa_enforcement=bool(rng.getrandbits(1)))
        acct.workspaces.append(ws)
        for p in range(projects):
            proj = Project(_uuid(rng), f"proj-{w}-{p}", ws.id, created_at=iso(now - timedelta(days=300)))
            ws.projects.append(proj)
            for e in range(environments + ephemeral):
                name = ENV_NAMES[e % len(ENV_NAMES)] + (f"-{e // len(ENV_NAMES)}" if e >= len(ENV_NAMES) else "")
                if e >= environments:
                    name = f"pr-{e - environments + 1}"
                proj.environments.append(Environment(_uuid(rng), name, is_ephemeral=e >= environments))
            env_ids = [env.id for env in proj.environments]
            for s in range(services):
                svc = Service(_uuid(rng), f"app-{s}", list(env_ids), repo=f"example/app-{s}")
                proj.services.append(svc)
            for v in range(volumes):
                is_db = v % 2 == 0
                if is_db:
                    engine = engines[(v // 2 + p) % len(engines)]
                    image, path = DATABASE_IMAGES[engine]
                    owner = Service(_uuid(rng), f"{engine}-{v}", list(env_ids), image=image)
                    proj.services.append(owner)
                else:
                    path = f"/app/data-{v}"
                    owner = (
                        proj.services[v % services]
                        if services
                        else Service(_uuid(rng), f"files-{v}", list(env_ids), image="busybox")
                    )
                    if owner not in proj.services:
                        proj.services.append(owner)
                vol = Volume(_uuid(rng), f"{owner.name}-volume-{v}", created_at=iso(now - timedelta(days=200)))
                proj.volumes.append(vol)
                targets = env_ids if shared_volumes else [env_ids[v % len(env_ids)]]
                for env_id in targets:
                    vi = VolumeInstance(
                        _uuid(rng),
                        vol.id,
                        env_id,
                        owner.id,
                        path,
                        size_mb=rng.choice([500, 5000, 50000]),
                        current_size_mb=float(rng.randint(1, 400)),
                    )
                    if schedules:
                        vi.schedules = [
                            Schedule(_uuid(rng), k)
                            for k in rng.sample(["DAILY", "WEEKLY", "MONTHLY"], rng.randint(0, 2))
                        ]
                    for b in range(backups):
                        created = now - timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
                        sched = rng.choice(vi.schedules) if vi.schedules and rng.random() < 0.7 else None
                        expires = (
                            None if sched is None else iso(created + timedelta(seconds=sched.retention_seconds or 0))
                        )
                        vi.backups.append(
                            Backup(
                                _uuid(rng),
                                f"backup-{b}",
                                iso(created),
                                expires,
                                sched.id if sched else None,
                                used_mb=rng.randint(1, 500),
                                referenced_mb=rng.randint(1, 500),
                            )
                        )
                    vol.instances.append(vi)
            for env in proj.environments:
                for svc in proj.services:
                    for k in range(variables):
                        proj.variables.append(
                            Variable(
                                _uuid(rng),
                                f"VAR_{k}",
                                env.id,
                                svc.id,
                                f"value-{rng.getrandbits(64):x}",
                                is_sealed=rng.random() < 0.1,
                            )
                        )
            for t in range(project_tokens):
                env = proj.environments[t % len(proj.environments)]
                proj.tokens.append(
                    ProjectToken(_uuid(rng), f"deploy-{env.name}", env.id, f"emu-ptok-{rng.getrandbits(64):x}")
                )
    return acct


# ---------------------------------------------------------------------- the incident
#: The value planted in the incident's SESSION_SECRET variables: tests assert it never leaks.
INCIDENT_SECRET = "pocketos-session-secret-5f2b8c1e-DO-NOT-LEAK"
INCIDENT_LEAKED_TOKEN = "rw-token-staging-deploy-9a7c3e-DO-NOT-LEAK"
#: A project token (deploys to staging only): planted to prove it never leaks either.
INCIDENT_PROJECT_TOKEN = "rw-project-token-staging-ci-4d2b7f-DO-NOT-LEAK"


def incident_account() -> Account:
    """The account behind samples/pocketos/inventory.yaml, as Railway's API would show it.

    One workspace "PocketOS", one project "pocketos" with production and staging; one
    project-level volume pg-data with an instance per environment (production: the Postgres
    data, 50 GB; staging: 5 GB); the production database's three backups (Aug 2026, about three
    months old, manual: the schedule had stopped) all on the production instance; an account
    token "staging-deploy" of the workspace admin (created "for staging", but an account token
    reaches the whole workspace — the incident's Bearer token), whose value also sits in the
    staging variable RAILWAY_API_TOKEN of the coding-agent service; a project token "staging-ci"
    scoped to staging (deploys only); SESSION_SECRET with one value in both environments; the
    audit's own account token.
    """
    acct = Account("6c1f0a52-0000-4000-8000-000000000001", "jer", "jer@pocketos.example")
    acct.api_tokens.append(
        ApiToken("6c1f0a52-0000-4000-8000-0000000000a1", "blastscope-audit", "emu-incident-account-token")
    )
    acct.api_tokens.append(ApiToken("6c1f0a52-0000-4000-8000-0000000000a2", "staging-deploy", INCIDENT_LEAKED_TOKEN))
    ws = Workspace("6c1f0a52-0000-4000-8000-000000000002", "PocketOS")
    acct.workspaces.append(ws)
    proj = Project("6c1f0a52-0000-4000-8000-000000000003", "pocketos", ws.id, created_at="2025-02-01T00:00:00Z")
    ws.projects.append(proj)
    prod = Environment("6c1f0a52-0000-4000-8000-000000000010", "production", created_at="2025-02-01T00:00:00Z")
    staging = Environment("6c1f0a52-0000-4000-8000-000000000011", "staging", created_at="2025-03-01T00:00:00Z")
    proj.environments += [prod, staging]
    image, path = DATABASE_IMAGES["postgres"]
    pg = Service("6c1f0a52-0000-4000-8000-000000000020", "Postgres", [prod.id, staging.id], image=image)
    api = Service("6c1f0a52-0000-4000-8000-000000000021", "api", [prod.id, staging.id], repo="pocketos/api")
    worker = Service("6c1f0a52-0000-4000-8000-000000000022", "worker", [prod.id], repo="pocketos/api")
    agent = Service("6c1f0a52-0000-4000-8000-000000000023", "coding-agent", [staging.id], repo="pocketos/agent-sandbox")
    proj.services += [pg, api, worker, agent]
    vol = Volume("6c1f0a52-0000-4000-8000-000000000030", "pg-data", created_at="2025-02-01T00:00:00Z")
    vi_prod = VolumeInstance(
        "6c1f0a52-0000-4000-8000-000000000031", vol.id, prod.id, pg.id, path, size_mb=51200, current_size_mb=31744.0
    )
    vi_staging = VolumeInstance(
        "6c1f0a52-0000-4000-8000-000000000032", vol.id, staging.id, pg.id, path, size_mb=5120, current_size_mb=812.0
    )
    for day in ("08", "15", "22"):
        vi_prod.backups.append(
            Backup(
                f"6c1f0a52-0000-4000-8000-0000000008{day}",
                f"weekly-2026-08-{day}",
                f"2026-08-{day}T03:00:00Z",
                None,
                None,
                used_mb=2048,
                referenced_mb=30720,
            )
        )
    vol.instances += [vi_prod, vi_staging]
    proj.volumes.append(vol)
    proj.variables += [
        Variable("6c1f0a52-0000-4000-8000-000000000040", "SESSION_SECRET", prod.id, api.id, INCIDENT_SECRET),
        Variable("6c1f0a52-0000-4000-8000-000000000041", "SESSION_SECRET", staging.id, api.id, INCIDENT_SECRET),
        Variable(
            "6c1f0a52-0000-4000-8000-000000000042", "RAILWAY_API_TOKEN", staging.id, agent.id, INCIDENT_LEAKED_TOKEN
        ),
        Variable(
            "6c1f0a52-0000-4000-8000-000000000043",
            "DATABASE_URL",
            prod.id,
            api.id,
            "postgresql://postgres:pg-prod-password-DO-NOT-LEAK@postgres.railway.internal:5432/railway",
        ),
    ]
    proj.tokens.append(
        ProjectToken(
            "6c1f0a52-0000-4000-8000-000000000050",
            "staging-ci",
            staging.id,
            INCIDENT_PROJECT_TOKEN,
            created_at="2025-03-02T00:00:00Z",
        )
    )
    return acct

"""Raw Railway pull (plain dicts) → Resources. Pure: no I/O, no clock, no secrets in or out.

Blast semantics (docs/railway.md): a volume is project-level with one instance per
environment (`volume-instance —parent→ volume` and `—parent→ environment`), so `volumeDelete`
on the volume takes every instance; backups are `stored_on` their volume instance (wiping the
volume deletes them); a database is a service whose image or data path says so, `stored_on`
its volume instance. Point-in-time recovery (a Postgres service with WAL_ARCHIVE_* variable
names) is a continuous copy of the database `stored_on` the project's PITR bucket, which
survives `volumeDelete`. Deleted volumes and buckets wait in Railway's deletion queue
(`deletion_queue_hours`): a recovery window held by the same account, never a copy.

Credentials, one per token: account tokens carry their owner's role in each workspace (ADMIN
deletes; MEMBER writes; VIEWER reads; an unknown role is assumed to delete, and says so),
workspace tokens are workspace admins, project tokens deploy to their environment (deleting
only when policy `railway.project_tokens_can_delete` says so), and Railway tokens visible as
variable names are inferred. The audit token is its own credential only when it is not among
the listed API tokens (a workspace or project token, or an account whose tokens were not read).
What could not be read is said on the resource: `unread: [..]`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any, cast

from auditor.core.model import Grant, Resource
from auditor.io.resources import DATETIME_ATTRS, to_utc
from providers.railway.tokens import TOKEN_VARIABLES

P = "railway"

ENGINE_IMAGES = (
    (re.compile(r"postgres|postgis|timescale|pgvector", re.I), "postgres"),
    (re.compile(r"mysql|mariadb", re.I), "mysql"),
    (re.compile(r"mongo", re.I), "mongodb"),
    (re.compile(r"redis|valkey|dragonfly", re.I), "redis"),
)
#: Data paths that identify an engine on their own ("/data" alone is too common to say redis).
ENGINE_PATHS = {
    "/var/lib/postgresql/data": "postgres",
    "/var/lib/postgresql": "postgres",
    "/var/lib/mysql": "mysql",
    "/data/db": "mongodb",
}
INFERRED_TOKEN_KINDS = TOKEN_VARIABLES
RW = frozenset({"read", "write"})
RW_DELETE = frozenset({"read", "write", "delete"})
ADMIN = frozenset({"admin"})
#: What a workspace role may do (docs.railway.com/projects/workspaces): only admins delete.
ROLE_ACTIONS = {"ADMIN": ADMIN, "MEMBER": RW, "DEPLOYER": frozenset({"read"}), "VIEWER": frozenset({"read"})}
#: Hours a deleted volume / bucket can still be restored (docs.railway.com/volumes/reference).
VOLUME_DELETION_QUEUE_HOURS = 48
BUCKET_DELETION_QUEUE_HOURS = 52
PITR_VARIABLE_PREFIX = "WAL_ARCHIVE_"


def rid(kind: str, *parts: str) -> str:
    return ":".join((P, kind, *parts))


@lru_cache(maxsize=1024)
def engine_of(image: str | None, mount_path: str | None) -> tuple[str | None, str | None]:
    """(engine, how it was detected) for a service instance's image and a volume's mount path
    (memoised: an account has few distinct images and paths, and many volume instances)."""
    if image:
        for pattern, engine in ENGINE_IMAGES:
            if pattern.search(image.rsplit("/", 1)[-1]):
                return engine, "image"
    if mount_path:
        path_engine = ENGINE_PATHS.get(mount_path.rstrip("/"))
        if path_engine:
            return path_engine, "mount_path"
    return None, None


_TIMES: dict[str, Any] = {}  # API time text -> its aware UTC datetime, or None when unreadable
_MISSING = object()


def _utc_text(value: str) -> datetime | None:
    """An ISO-8601 API time as an aware UTC datetime (None when unreadable). Memoised in a plain
    dict (a miss costs a third of an lru_cache miss, and most backup times are seen once):
    backups of one schedule share their times, and a datetime is immutable, so sharing is safe."""
    found = _TIMES.get(value, _MISSING)
    if found is not _MISSING:
        return cast(datetime | None, found)
    dt = _parse_utc(value)
    if len(_TIMES) >= 8192:
        _TIMES.clear()
    _TIMES[value] = dt
    return dt


def _parse_utc(value: str) -> datetime | None:
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt if dt.tzinfo is UTC else dt.astimezone(UTC)


def _utc(value: Any) -> datetime | None:
    """An API time as an aware UTC datetime; None when absent or unreadable (unknown)."""
    if not value:
        return None
    if isinstance(value, str):
        return _utc_text(value)
    try:
        return to_utc(value)
    except ValueError:
        return None


def _attrs(**kw: Any) -> dict[str, Any]:
    """Attributes the source reported; a key whose value is None is left out (unknown).
    Times become aware UTC datetimes, as the model holds them in memory."""
    out = {}
    for k, v in kw.items():
        if v is None:
            continue
        if k in DATETIME_ATTRS:
            v = _utc(v)
            if v is None:
                continue  # an unreadable time is unknown, not a guess
        out[k] = v
    return out


class _Builder:
    """The resources being built, and the one question translation asks about them: does this
    id exist yet? A builder for one project (`outside`: the ids it may assume exist, its
    workspace) records the ids it asked about and did not find, so that merging it with the
    other projects can prove it read nothing they hold (see `translate`)."""

    def __init__(self, project_tokens_can_delete: bool, outside: frozenset[str] | None = None, defer: bool = False):
        self.out: dict[str, Resource] = {}
        self.assume_volumes = project_tokens_can_delete
        self.outside = outside
        self.misses: set[str] = set()
        #: with `defer`: the work that needs batch answers (backups, backup schedules, what was
        #: not read, PITR), each with the number of resources built before it (see `fill_in`)
        self.deferred: list[tuple[int, Callable[[], None]]] | None = [] if defer else None

    def then(self, work: Callable[[], None]) -> None:
        """Do `work` now, or, when deferring, where it stands in the order of resources."""
        if self.deferred is None:
            work()
        else:
            self.deferred.append((len(self.out), work))

    def fill_in(self) -> None:
        """Do the deferred work, its resources in the places one sequence would have put them:
        the resources built so far are laid down again in order, each piece of work at the
        count of resources it was deferred at."""
        slots, self.deferred = self.deferred, None
        if not slots:
            return
        built = list(self.out.items())
        self.out = {}
        done = 0
        for position, work in slots:
            self.out.update(built[done:position])
            done = position
            work()
        self.out.update(built[done:])

    def has(self, id_: str) -> bool:
        if id_ in self.out:
            return True
        if self.outside is None:
            return False
        if id_ in self.outside:
            return True
        self.misses.add(id_)
        return False

    def add(
        self,
        id_: str,
        kind: str,
        name: str,
        attrs: dict | None = None,
        grants: tuple[Grant, ...] = (),
        **relations: Any,
    ) -> Resource:
        rels: dict[str, tuple[str, ...]] = {}
        for rel, targets in relations.items():
            if not targets:
                continue
            if isinstance(targets, str):
                rels[rel] = (targets,)
            else:
                tup = tuple(t for t in targets if t)
                if tup:
                    rels[rel] = tup
        res = Resource(id_, kind, name, P, attrs or {}, rels, grants)
        self.out[id_] = res
        return res

    def keep_existing(self, grants: list[Grant]) -> tuple[Grant, ...]:
        merged: dict[str, set[str]] = {}
        for g in grants:
            if self.has(g.target):
                merged.setdefault(g.target, set()).update(g.actions)
        return tuple(Grant(t, frozenset(a)) for t, a in sorted(merged.items()))


@dataclass(eq=False)
class ProjectBody:
    """One project translated on its own, all but its project tokens (`translate_project_body`):
    its builder holds the resources and the ids it looked for outside the project in vain."""

    bundle: dict[str, Any]  # the project bundle translated (held: its id() is the key in `bodies`)
    workspace: str
    builder: _Builder


def translate_project_body(
    p: dict[str, Any], ws_id: str, *, project_tokens_can_delete: bool = False, defer: bool = False
) -> ProjectBody:
    """Every resource of one project bundle but its project tokens, which `translate` adds
    last. `ws_id` is the resource id of its workspace (`rid("workspace", id)`). With `defer`,
    nothing batch answers fill in is read (backups, schedules, unread marks): the builder keeps
    that work for `fill_in`, so the project can be translated while its batches are on the wire."""
    b = _Builder(project_tokens_can_delete, frozenset((ws_id,)), defer=defer)
    _project_body(b, p, ws_id)
    return ProjectBody(p, ws_id, b)


def translate(
    raw: dict[str, Any],
    *,
    project_tokens_can_delete: bool = False,
    bodies: dict[int, ProjectBody] | None = None,
) -> list[Resource]:
    """Resources for a raw pull (see pull.RawPull: token, user, api_tokens, workspaces).

    `bodies`: projects already translated by `translate_project_body`, keyed by `id()` of their
    bundle dict (consumed). Each project is translated on its own and merged in order; should two
    projects share an id, or one look for an id another holds (answers no real account gives),
    the whole pull is translated again in one sequence, so the result never depends on how it
    was split."""
    merged = _Builder(project_tokens_can_delete)
    out = merged.out
    roles: dict[str, str | None] = {}
    for ws in raw.get("workspaces") or []:
        ws_id = _workspace(merged, ws, roles)
        for p in ws.get("projects") or []:
            body = bodies.pop(id(p), None) if bodies else None
            if body is None or body.bundle is not p or body.workspace != ws_id or body.builder.deferred is not None:
                body = translate_project_body(p, ws_id, project_tokens_can_delete=project_tokens_can_delete)
            part = body.builder
            _project_tokens(part, p)
            if any(m in out for m in part.misses):
                return translate_in_one_sequence(raw, project_tokens_can_delete)
            before = len(out)
            out.update(part.out)
            if len(out) != before + len(part.out):  # an id this project shares with one before it
                return translate_in_one_sequence(raw, project_tokens_can_delete)
    _credentials(merged, raw, raw.get("token") or {}, roles)
    return list(out.values())


class ProjectsAsTheyArrive:
    """Translates a pull's projects while it runs. `read` (any thread, e.g. while waiting for
    batch answers): translate what the bundle says; `answered` (from the thread that read a project's
    last batch answer but its tokens): fill in backups, schedules and what was not read. When
    the last answer arrives only the projects it completed are left to fill in; `finish` adds
    the project tokens and assembles the pull exactly as `translate` would in one go. A project
    whose translation fails is left for `finish`, which fails on it in order, as one go would."""

    def __init__(self, *, project_tokens_can_delete: bool = False):
        self.project_tokens_can_delete = project_tokens_can_delete
        self.bodies: dict[int, ProjectBody] = {}  # completed, keyed by id() of the bundle
        self._drafts: dict[int, ProjectBody | None] = {}  # read, answers not yet filled in
        self._lock = threading.Lock()  # one project at a time: the interpreter runs one anyway

    def _draft(self, p: dict[str, Any], workspace_id: str) -> ProjectBody | None:
        try:
            return translate_project_body(
                p, rid("workspace", workspace_id), project_tokens_can_delete=self.project_tokens_can_delete, defer=True
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            return None  # not the shape the schema promises: `finish` meets it again, in order

    def read(self, p: dict[str, Any], workspace_id: str) -> None:
        with self._lock:
            if id(p) not in self._drafts and id(p) not in self.bodies:
                self._drafts[id(p)] = self._draft(p, workspace_id)

    def answered(self, p: dict[str, Any], workspace_id: str) -> None:
        with self._lock:
            draft = self._drafts.pop(id(p)) if id(p) in self._drafts else self._draft(p, workspace_id)
            if draft is None or draft.bundle is not p:
                return
            try:
                draft.builder.fill_in()
            except (KeyError, TypeError, AttributeError, ValueError):
                return
            self.bodies[id(p)] = draft

    def finish(self, raw: dict[str, Any]) -> list[Resource]:
        return translate(raw, project_tokens_can_delete=self.project_tokens_can_delete, bodies=self.bodies)


def translate_in_one_sequence(raw: dict[str, Any], project_tokens_can_delete: bool) -> list[Resource]:
    """Every project into one builder, in order, each seeing what the ones before it added: the
    reference `translate` and `ProjectsAsTheyArrive` must equal (tests compare them)."""
    b = _Builder(project_tokens_can_delete)
    roles: dict[str, str | None] = {}
    for ws in raw.get("workspaces") or []:
        ws_id = _workspace(b, ws, roles)
        for p in ws.get("projects") or []:
            _project_body(b, p, ws_id)
            _project_tokens(b, p)
    _credentials(b, raw, raw.get("token") or {}, roles)
    return list(b.out.values())


def _workspace(b: _Builder, ws: dict[str, Any], roles: dict[str, str | None]) -> str:
    ws_id = rid("workspace", ws["id"])
    roles[ws_id] = ws.get("role")
    b.add(
        ws_id,
        "account",
        ws.get("name") or ws["id"],
        _attrs(
            has_2fa_enforcement=ws.get("has2FAEnforcement"),
            account_id=ws["id"],
            shared_by_invitation=True if ws.get("external") else None,
        ),
    )
    return ws_id


def _project_body(b: _Builder, p: dict[str, Any], ws_id: str) -> None:
    """A project and everything in it but its project tokens (never reads p["tokens"], which a
    pull may still be filling in)."""
    pid = rid("project", p["id"])
    b.add(
        pid,
        "project",
        p.get("name") or p["id"],
        _attrs(created_at=p.get("createdAt"), unread=list(p.get("unread") or []) or None),
        parent=ws_id,
    )
    services = {s["id"]: s for s in p.get("services") or []}
    volumes = {v["id"]: v for v in p.get("volumes") or []}
    for v in volumes.values():
        b.add(
            rid("volume", v["id"]),
            "volume",
            v.get("name") or v["id"],
            _attrs(created_at=v.get("createdAt"), deletion_queue_hours=VOLUME_DELETION_QUEUE_HOURS),
            parent=pid,
        )
    buckets = {}
    for bucket in p.get("buckets") or []:
        buckets[bucket["id"]] = bucket.get("name") or bucket["id"]
        b.add(
            rid("bucket", bucket["id"]),
            "bucket",
            buckets[bucket["id"]],
            _attrs(created_at=bucket.get("createdAt"), deletion_queue_hours=BUCKET_DELETION_QUEUE_HOURS),
            parent=pid,
        )
    env_names = {e["id"]: e.get("name") or e["id"] for e in p.get("environments") or []}
    for env in p.get("environments") or []:
        eid = rid("environment", env["id"])
        env_name = env_names[env["id"]]
        b.add(
            eid,
            "environment",
            env_name,
            _attrs(
                tier="preview" if env.get("isEphemeral") else None,
                ephemeral=bool(env.get("isEphemeral")),
                created_at=env.get("createdAt"),
                restricted=True if env.get("canAccess") is False else None,
                unread=_unread_env(env),
            ),
            parent=pid,
        )
        images = {}
        for si in env.get("serviceInstances") or []:
            source = si.get("source") or {}
            images[si["serviceId"]] = source.get("image")
        place = _Place(b, env, eid, env_name, pid, volumes, services, images)
        for vi in env.get("volumeInstances") or []:
            _volume_instance(place, vi)
        b.then(partial(_point_in_time_recovery, b, env, env_name, place.databases, buckets))
        for si in env.get("serviceInstances") or []:
            _service(b, si, env["id"], eid, env_name, place.mounts)
        _variables(b, p, env, eid, env_name, ws_id)


def _service(b: _Builder, si: dict, env_id: str, eid: str, env_name: str, mounts: dict[str, list[str]]) -> None:
    """A service instance: the attributes and relations `_Builder.add` and `_attrs` would give,
    in their order, written directly (once per service instance; tests/providers/railway/
    test_fast_paths.py compares the two)."""
    source = si.get("source") or {}
    service_id = si["serviceId"]
    sid = rid("service", service_id, env_id)
    attrs: dict[str, Any] = {}
    for key, value in (
        ("image", source.get("image")),
        ("repo", source.get("repo")),
        ("region", si.get("region")),
        ("service_id", service_id),
    ):
        if value is not None:
            attrs[key] = value
    relations: dict[str, tuple[str, ...]] = {"parent": (eid,)}
    attached = tuple(t for t in mounts.get(service_id) or () if t)
    if attached:
        relations["attached_to"] = attached
    name = f"{si.get('serviceName') or service_id} ({env_name})"
    b.out[sid] = Resource(sid, "service", name, P, attrs, relations)


def _project_tokens(b: _Builder, p: dict[str, Any]) -> None:
    """A project's project tokens, the last of its resources (or, unread, said on the project)."""
    tokens = p.get("tokens")
    if tokens is None:
        attrs = b.out[rid("project", p["id"])].attrs
        attrs["unread"] = [*(attrs.get("unread") or []), "project tokens"]
    for tok in tokens or []:
        _project_token(b, p, tok, rid("environment", tok["environmentId"]))


class _Place:
    """What every volume instance of one environment is translated against, looked up once
    per environment rather than once per instance."""

    __slots__ = ("b", "env_id", "eid", "env_name", "pid", "volumes", "services", "images", "databases", "mounts")

    def __init__(
        self, b: _Builder, env: dict, eid: str, env_name: str, pid: str, volumes: dict, services: dict, images: dict
    ):
        self.b = b
        self.env_id: str = env["id"]
        self.eid = eid
        self.env_name = env_name
        self.pid = pid
        self.volumes = volumes
        self.services = services
        self.images = images
        self.databases: dict[str, str] = {}  # volume instance id -> database id
        self.mounts: dict[str, list[str]] = {}  # service id -> node ids it reads/writes


#: (attribute, API field) copied as they are from a volume instance, in the attributes' order.
_VI_PLAIN = (
    ("mount_path", "mountPath"),
    ("size_mb", "sizeMB"),
    ("current_size_mb", "currentSizeMB"),
    ("region", "region"),
)


def _volume_instance(at: _Place, vi: dict) -> None:
    b = at.b
    get = vi.get
    vi_id = vi["id"]
    volume_id = vi["volumeId"]
    vid = f"{P}:volume-instance:{vi_id}"
    volume_rid = f"{P}:volume:{volume_id}"
    vol = at.volumes.get(volume_id)
    vol_name = (vol.get("name") if vol is not None else None) or volume_id
    if vol is None and not b.has(volume_rid):  # a volume the volumes connection did not list
        b.add(
            volume_rid,
            "volume",
            vol_name,
            _attrs(deletion_queue_hours=VOLUME_DELETION_QUEUE_HOURS),
            parent=at.pid,
        )
    attrs: dict[str, Any] = {}
    for key, api_field in _VI_PLAIN:
        value = get(api_field)
        if value is not None:
            attrs[key] = value
    state = get("state")
    if isinstance(state, str):
        attrs["status"] = state.lower()
    if get("isPendingDeletion") is not None:
        attrs["pending_deletion"] = get("isPendingDeletion")
    for key, api_field in (("deleted_at", "deletedAt"), ("created_at", "createdAt")):
        when = _utc(get(api_field))
        if when is not None:
            attrs[key] = when
    attrs["deletion_queue_hours"] = VOLUME_DELETION_QUEUE_HOURS
    instance = Resource(vid, "volume", f"{vol_name} ({at.env_name})", P, attrs, {"parent": (volume_rid, at.eid)})
    b.out[vid] = instance
    holder = vid
    database = None
    service_id = get("serviceId")
    if service_id:
        engine, how = engine_of(at.images.get(service_id), get("mountPath"))
        if engine:
            svc_name = (at.services.get(service_id) or {}).get("name") or service_id
            dbid = f"{P}:database:{service_id}:{at.env_id}"
            if not b.has(dbid):
                # what b.add(..., _attrs(engine=, detected_by=), stored_on=, in_environment=)
                # gives: engine and how are both set, vid and eid never empty
                database = Resource(
                    dbid,
                    "database",
                    f"{svc_name} ({at.env_name})",
                    P,
                    {"engine": engine, "detected_by": how},
                    {"stored_on": (vid,), "in_environment": (at.eid,)},
                )
                b.out[dbid] = database
                holder = dbid
                at.databases[vi_id] = dbid
        at.mounts.setdefault(service_id, []).append(holder)
    b.then(partial(_volume_instance_answers, b, vi, instance, database, at.databases.get(vi_id, vid)))


def _volume_instance_answers(
    b: _Builder, vi: dict, instance: Resource, database: Resource | None, copy_of: str
) -> None:
    """What a volume instance's batch answers say: its backups (each a copy of `copy_of`, its
    database or itself), its backup schedules, and what could not be read."""
    unread = [_UNREAD_TEXT.get(k, k) for k in vi.get("unread") or []] or None
    schedules = vi.get("schedules")
    if unread is not None:
        instance.attrs["unread"] = unread
    if schedules is not None:
        instance.attrs["backup_schedules"] = sorted(s["kind"] for s in schedules)
    if database is not None and unread is not None:
        database.attrs["unread"] = unread
    backups = vi.get("backups")
    if backups:
        _backups(b.out, backups, schedules, instance.id, copy_of)


def _backups(out: dict[str, Resource], backups: list, schedules: list | None, vid: str, copy_of: str) -> None:
    """A volume instance's backups: the hot loop of large accounts, so Resources are built
    directly, and the two usual shapes (a manual backup kept until deleted, a scheduled one
    that expires) in one dict display each; anything else the careful way (`_backup_attrs`),
    which gives the same attributes in the same order (tests/providers/railway/test_translate_fast.py)."""
    schedule_by_id = {s["id"]: s for s in schedules or []}
    relations = {"stored_on": (vid,), "backup_of": (copy_of,)}
    times = _TIMES.get  # the memo of _utc_text, read inline: this loop runs once per backup
    for bk in backups:
        get = bk.get
        schedule_id = get("scheduleId")
        sched = schedule_by_id.get(schedule_id or "")
        created_text, expires_text, used = get("createdAt"), get("expiresAt"), get("usedMB")
        attrs = None
        if used is not None and type(created_text) is str:
            created = times(created_text, _MISSING)
            if created is _MISSING:
                created = _utc_text(created_text)
            if created is None:
                pass
            elif expires_text is None and sched is None and schedule_id is None:
                # a manual backup, kept until someone deletes it
                attrs = {"created_at": created, "locked": True, "manual": True, "used_mb": used}
            elif type(expires_text) is str and sched is not None:
                expires = times(expires_text, _MISSING)
                if expires is _MISSING:
                    expires = _utc_text(expires_text)
                kind = sched.get("kind")
                if expires is not None and kind:  # a scheduled backup that expires
                    attrs = {
                        "created_at": created,
                        "expires_at": expires,
                        "retention_days": round((expires - created).total_seconds() / 86400, 2),
                        "locked": False,
                        "manual": schedule_id is None,
                        "schedule": kind,
                        "used_mb": used,
                    }
        if attrs is None:
            attrs = _backup_attrs(bk, sched)
        bid = f"{P}:backup:{bk['id']}"
        out[bid] = Resource(bid, "backup", get("name") or bk["id"], P, attrs, dict(relations))


def _backup_attrs(bk: dict, sched: dict | None) -> dict[str, Any]:
    """A backup's attributes, the careful way: every field checked, what is missing left out."""
    schedule_id = bk.get("scheduleId")
    expires_text = bk.get("expiresAt")
    created, expires = _utc(bk.get("createdAt")), _utc(expires_text)
    retention = _retention_days(created, expires)
    kind = sched.get("kind") if sched else None
    used = bk.get("usedMB")
    attrs: dict[str, Any] = {}
    if created is not None:
        attrs["created_at"] = created
    if expires is not None:
        attrs["expires_at"] = expires
    if retention is not None:
        attrs["retention_days"] = retention
    elif sched and sched.get("retentionSeconds"):
        attrs["retention_days"] = round(sched["retentionSeconds"] / 86400, 2)
    attrs["locked"] = expires_text is None
    attrs["manual"] = schedule_id is None
    if kind:
        attrs["schedule"] = kind
    if used is not None:
        attrs["used_mb"] = used
    return attrs


def _retention_days(created: datetime | None, expires: datetime | None) -> float | None:
    if created is None or expires is None:
        return None
    return round((expires - created).total_seconds() / 86400, 2)


def _variables(b: _Builder, p: dict, env: dict, eid: str, env_name: str, ws_id: str) -> None:
    fingerprints = env.get("fingerprints")
    out = b.out
    for var in env.get("variables") or []:
        name = var.get("name") or var["id"]
        svc = var.get("serviceId")
        target = rid("service", svc, env["id"]) if svc else eid
        if svc and not b.has(target):
            target = eid
        sealed = var.get("isSealed")
        fp = None
        if fingerprints is not None and not sealed:
            fp = (fingerprints.get(svc or "") or {}).get(name)
        kind = INFERRED_TOKEN_KINDS.get(name)
        if kind is None:
            # a plain secret (nearly every variable): no grants, and the attributes `_attrs`
            # would give, in its order — written directly, as this runs once per variable
            # (tests/providers/railway/test_fast_paths.py compares it with `_variable`)
            var_id = rid("variable", var["id"])
            attrs: dict[str, Any] = {"token_kind": "secret"}
            if sealed is not None:
                attrs["sealed"] = sealed
            if fp is not None:
                attrs["fingerprint"] = fp
            if name is not None:
                attrs["variable"] = name
            out[var_id] = Resource(var_id, "credential", f"{name} ({env_name})", P, attrs, {"exposed_to": (target,)})
            continue
        _variable(b, p, env, ws_id, var, name, kind, fp, target, f"{name} ({env_name})")


def _variable(
    b: _Builder,
    p: dict,
    env: dict,
    ws_id: str,
    var: dict,
    name: Any,
    kind: str | None,
    fp: str | None,
    target: str,
    label: str,
) -> None:
    """One variable as a credential, the careful way (every variable whose name is a Railway
    token's, and the reference the plain-secret shortcut in `_variables` must equal)."""
    grants: list[Grant] = []
    if kind == "project":
        grants = _project_token_grants(b, p, env["id"])
    elif kind in ("account", "workspace"):
        grants = [Grant(ws_id, ADMIN)]  # at least its workspace; an account token may reach more
    b.add(
        rid("variable", var["id"]),
        "credential",
        label,
        _attrs(
            token_kind=kind or "secret",
            inferred=True if kind else None,
            sealed=var.get("isSealed"),
            fingerprint=fp,
            variable=name,
        ),
        b.keep_existing(grants),
        exposed_to=target,
    )


_UNREAD_TEXT = {
    "backups": "backups",
    "schedules": "backup schedules",
    "serviceInstances": "services",
    "volumeInstances": "volumes",
    "variables": "variables",
}


def _unread_env(env: dict) -> list[str] | None:
    names = [_UNREAD_TEXT.get(k, k) for k in env.get("unread") or []]
    return names or None


def _point_in_time_recovery(
    b: _Builder, env: dict, env_name: str, databases: dict[str, str], buckets: dict[str, str]
) -> None:
    """A Postgres service whose variables include WAL_ARCHIVE_* names archives its WAL and base
    backups to the project's PITR bucket: a continuous copy that survives volumeDelete. Only
    variable names are read. When no bucket is recognisable the copy is not counted (it might
    live anywhere) and the database says what was not read."""
    archiving = {
        v.get("serviceId")
        for v in env.get("variables") or []
        if str(v.get("name") or "").startswith(PITR_VARIABLE_PREFIX) and v.get("serviceId")
    }
    if not archiving:
        return
    candidates = sorted(bid for bid, name in buckets.items() if "pitr" in name.lower())
    for dbid in sorted(set(databases.values())):
        service_id = dbid.split(":")[2]
        db = b.out[dbid]
        if service_id not in archiving or db.attrs.get("engine") != "postgres":
            continue
        db.attrs["pitr"] = True
        if not candidates:
            db.attrs["unread"] = sorted(set(db.attrs.get("unread") or []) | {"point-in-time recovery bucket"})
            continue
        b.add(
            rid("pitr", service_id, env["id"]),
            "backup",
            f"point-in-time recovery of {db.name} (WAL archive)",
            _attrs(continuous=True, manual=False),
            stored_on=[rid("bucket", c) for c in candidates],
            backup_of=dbid,
        )


def _project_token_grants(b: _Builder, p: dict, env_id: str) -> list[Grant]:
    """Project tokens deploy (docs.railway.com/cli/deploying: "deployment-related actions" only);
    with policy railway.project_tokens_can_delete they also delete their environment and the
    project-level volumes with an instance in it."""
    if not b.assume_volumes:
        return [Grant(rid("environment", env_id), RW)]
    grants = [Grant(rid("environment", env_id), RW_DELETE)]
    for env in p.get("environments") or []:
        if env["id"] == env_id:
            for vi in env.get("volumeInstances") or []:
                grants.append(Grant(rid("volume", vi["volumeId"]), frozenset({"delete"})))
    return grants


def _project_token(b: _Builder, p: dict, tok: dict, eid: str) -> None:
    b.add(
        rid("project-token", tok["id"]),
        "credential",
        tok.get("name") or tok["id"],
        _attrs(
            token_kind="project",
            created_at=tok.get("createdAt"),
            inferred_reach="its environment and the project-level volumes with an instance in it "
            "(policy railway.project_tokens_can_delete)"
            if b.assume_volumes
            else None,
        ),
        b.keep_existing(_project_token_grants(b, p, tok["environmentId"])),
    )


def _role_grants(roles: dict[str, str | None]) -> tuple[list[Grant], list[str], bool]:
    """(grants, role notes, assumed) of a token carrying its owner's roles: a role that could
    not be read (or is not one Railway documents) is assumed to delete — fail safe — and said."""
    grants, notes, assumed = [], [], False
    for ws_id, role in sorted(roles.items()):
        actions = ROLE_ACTIONS.get(role or "")
        if actions is None:
            actions, assumed = ADMIN, True
        grants.append(Grant(ws_id, actions))
        notes.append(f"{ws_id.rsplit(':', 1)[-1]}: {role or 'unknown'}")
    return grants, notes, assumed


def _credentials(b: _Builder, raw: dict, token: dict, roles: dict[str, str | None]) -> None:
    kind = token.get("kind")
    role_grants, role_notes, assumed = _role_grants(roles)
    suffix = " (role unknown: assumed able to delete)" if assumed else ""
    listed = raw.get("api_tokens")
    account_tokens = [t for t in listed or [] if not t.get("workspaceId")]
    if kind == "workspace" or (kind == "account" and not account_tokens):
        # the token the pull used is not among listed tokens: it is its own credential
        grants = [Grant(w, ADMIN) for w in roles] if kind == "workspace" else role_grants
        name = f"audit token ({kind} token)" + (suffix if kind == "account" else "")
        b.add(
            rid("audit-token", "self"),
            "credential",
            name,
            _attrs(
                token_kind=kind,
                audit_token=True,
                roles=role_notes if kind == "account" else None,
                role_assumed=True if assumed and kind == "account" else None,
            ),
            b.keep_existing(grants),
        )
    elif kind == "project":
        for ws in raw.get("workspaces") or []:
            for p in ws.get("projects") or []:
                if p["id"] == token.get("project_id"):
                    b.add(
                        rid("audit-token", "self"),
                        "credential",
                        f"audit token (project token {token.get('name') or ''})".replace(" )", ")"),
                        _attrs(token_kind="project", audit_token=True),
                        b.keep_existing(_project_token_grants(b, p, token.get("environment_id") or "")),
                    )
    for tok in listed or []:
        ws = tok.get("workspaceId")
        if ws:
            grants, attrs = [Grant(rid("workspace", ws), ADMIN)], _attrs(token_kind="workspace")
            name = tok.get("name") or tok["id"]
        else:  # an account token: its owner's role in each workspace
            grants = role_grants
            attrs = _attrs(token_kind="account", roles=role_notes, role_assumed=True if assumed else None)
            name = (tok.get("name") or tok["id"]) + suffix
        attrs.update(_attrs(expires_at=tok.get("expiresAt")))
        b.add(rid("api-token", tok["id"]), "credential", name, attrs, b.keep_existing(grants))

"""Answers to validated queries: the account's objects as the GraphQL types of schema.graphql.

graphql-core's default resolver reads dict keys and calls callables with the field's
arguments, so every object is a dict whose connection fields are functions. A `Scope` says what
the calling token may see; anything outside it raises "Not Authorized" like Railway does.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from providers.railway.emulator.model import (
    Account,
    Environment,
    Project,
    Service,
    Variable,
    VolumeInstance,
)

MAX_PAGE = 100  # the emulator refuses `first` above this (assumption about Railway's limit)


@dataclass(frozen=True)
class Scope:
    """What the token reaches: kind account | workspace | project."""

    kind: str
    workspace_id: str | None = None
    project_id: str | None = None
    environment_id: str | None = None
    token_id: str | None = None


def not_authorized() -> GraphQLError:
    return GraphQLError("Not Authorized")


def _cursor(i: int) -> str:
    return base64.b64encode(f"cursor:{i}".encode()).decode()


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    try:
        text = base64.b64decode(after.encode(), validate=True).decode()
        if not text.startswith("cursor:"):
            raise ValueError
        return int(text[7:]) + 1
    except (ValueError, UnicodeDecodeError):
        raise GraphQLError(f"Invalid cursor: {after!r}") from None


class Answers:
    """Builds the root value for one request."""

    def __init__(self, account: Account, scope: Scope, page_cap: int | None = None, broken_cursor: bool = False):
        self.account = account
        self.scope = scope
        self.page_cap = page_cap
        self.broken_cursor = broken_cursor

    # ------------------------------------------------------------------ helpers
    def connection(
        self,
        items: list[Any],
        make: Callable[[Any], dict],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        **_: Any,
    ) -> dict:
        if last is not None or before is not None:
            raise GraphQLError("emulator: backward pagination (last/before) is not supported")
        if first is not None and (first < 0 or first > MAX_PAGE):
            raise GraphQLError(f"first must be between 0 and {MAX_PAGE}")
        start = _offset(after)
        size = MAX_PAGE if first is None else first
        if self.page_cap is not None:
            size = min(size, self.page_cap)
        page = items[start : start + size]
        more = start + len(page) < len(items)
        end = _cursor(start + len(page) - 1) if page else after
        if more and self.broken_cursor:
            end = None
        return {
            "edges": [{"cursor": _cursor(start + i), "node": make(item)} for i, item in enumerate(page)],
            "pageInfo": {
                "hasNextPage": more,
                "hasPreviousPage": start > 0,
                "startCursor": _cursor(start) if page else None,
                "endCursor": end,
            },
        }

    def visible_workspaces(self) -> list:
        ws = self.account.workspaces
        if self.scope.kind == "account":
            return list(ws)
        if self.scope.kind == "workspace":
            return [w for w in ws if w.id == self.scope.workspace_id]
        return []

    def visible_projects(self) -> Iterable[Project]:
        if self.scope.kind == "project":
            return [p for p in self.account.projects() if p.id == self.scope.project_id]
        shared = self.account.external_workspaces if self.scope.kind == "account" else []
        return [p for w in self.visible_workspaces() + shared for p in w.projects]

    def find_project(self, project_id: str) -> Project:
        for p in self.visible_projects():
            if p.id == project_id:
                return p
        raise not_authorized() if self._exists_project(project_id) else GraphQLError("Project not found")

    def _exists_project(self, project_id: str) -> bool:
        return any(p.id == project_id for p in self.account.projects())

    def env_visible(self, env: Environment) -> bool:
        return self.scope.kind != "project" or env.id == self.scope.environment_id

    def can_access(self, p: Project, env: Environment) -> bool:
        """Environment RBAC: a restricted environment is for workspace admins (and workspace tokens)."""
        if not self.env_visible(env):
            return False
        return not env.restricted or self.scope.kind != "account" or self.account.role(p.workspace_id) == "ADMIN"

    # ------------------------------------------------------------------ objects
    def workspace(self, ws) -> dict:
        def members(_info=None) -> list:
            if self.account.members_hidden:
                raise not_authorized()
            return [
                {"id": self.account.user_id, "role": self.account.role(ws.id) or "MEMBER"},
                {"id": f"other-admin-of-{ws.id[:8]}", "role": "ADMIN"},
            ]

        return {
            "id": ws.id,
            "name": ws.name,
            "createdAt": ws.created_at,
            "has2FAEnforcement": ws.has_2fa_enforcement,
            "members": members,
            "apiTokenRateLimit": {"remainingPoints": 1000, "resetsAt": "2026-11-25T10:00:00Z"},
        }

    def project(self, p: Project) -> dict:
        envs = [e for e in p.environments if self.env_visible(e)]

        def environments(_info=None, isEphemeral: bool | None = None, **kw: Any) -> dict:
            items = [e for e in envs if isEphemeral is None or e.is_ephemeral == isEphemeral]
            return self.connection(items, lambda e: self.environment(p, e), **kw)

        return {
            "id": p.id,
            "name": p.name,
            "createdAt": p.created_at,
            "deletedAt": None,
            "workspaceId": p.workspace_id,
            "environments": environments,
            "services": lambda _info=None, **kw: self.connection(p.services, lambda s: self.service(p, s), **kw),
            "volumes": lambda _info=None, **kw: self.connection(
                p.volumes, lambda v: {"id": v.id, "name": v.name, "projectId": p.id, "createdAt": v.created_at}, **kw
            ),
            "buckets": lambda _info=None, **kw: self.connection(
                p.buckets, lambda b: {"id": b.id, "name": b.name, "projectId": p.id, "createdAt": b.created_at}, **kw
            ),
        }

    def service(self, p: Project, s: Service) -> dict:
        return {
            "id": s.id,
            "name": s.name,
            "projectId": p.id,
            "createdAt": s.created_at,
            "deletedAt": None,
            "templateId": None,
        }

    def environment(self, p: Project, e: Environment) -> dict:
        access = self.can_access(p, e)

        def guard() -> None:
            if not access:
                raise not_authorized()

        def service_instances(_info=None, **kw: Any) -> dict:
            guard()
            items = [s for s in p.services if e.id in s.environment_ids]
            return self.connection(
                items,
                lambda s: {
                    "id": f"si-{s.id}-{e.id}",
                    "serviceId": s.id,
                    "serviceName": s.name,
                    "environmentId": e.id,
                    "region": "us-west2",
                    "source": {"image": s.image, "repo": s.repo} if (s.image or s.repo) else None,
                },
                **kw,
            )

        def volume_instances(_info=None, **kw: Any) -> dict:
            guard()
            items = [vi for vi in p.volume_instances() if vi.environment_id == e.id]
            return self.connection(items, self.volume_instance, **kw)

        def variables(_info=None, **kw: Any) -> dict:
            guard()
            items = [v for v in p.variables if v.environment_id == e.id]
            return self.connection(items, self.variable, **kw)

        return {
            "id": e.id,
            "name": e.name,
            "projectId": p.id,
            "isEphemeral": e.is_ephemeral,
            "createdAt": e.created_at,
            "canAccess": access,
            "deletedAt": None,
            "serviceInstances": service_instances,
            "volumeInstances": volume_instances,
            "variables": variables,
        }

    def volume_instance(self, vi: VolumeInstance) -> dict:
        return {
            "id": vi.id,
            "volumeId": vi.volume_id,
            "environmentId": vi.environment_id,
            "serviceId": vi.service_id,
            "mountPath": vi.mount_path,
            "sizeMB": vi.size_mb,
            "currentSizeMB": vi.current_size_mb,
            "state": vi.state,
            "region": vi.region,
            "isPendingDeletion": vi.is_pending_deletion,
            "createdAt": vi.created_at,
            "deletedAt": vi.deleted_at,
        }

    @staticmethod
    def variable(v: Variable) -> dict:  # names only: the connection has no value field
        return {
            "id": v.id,
            "name": v.name,
            "isSealed": v.is_sealed,
            "environmentId": v.environment_id,
            "serviceId": v.service_id,
        }

    # ------------------------------------------------------------------ root
    def root(self) -> dict:
        acct, scope = self.account, self.scope

        def me(_info=None) -> dict:
            if scope.kind != "account":
                raise not_authorized()
            return {
                "id": acct.user_id,
                "name": acct.user_name,
                "email": acct.email,
                "workspaces": [self.workspace(w) for w in acct.workspaces],
                "apiTokenRateLimit": {"remainingPoints": 1000, "resetsAt": "2026-11-25T10:00:00Z"},
            }

        def external_workspaces(_info=None, projectId: str | None = None) -> list:
            if scope.kind != "account":
                raise not_authorized()
            return [
                {
                    "id": w.id,
                    "name": w.name,
                    "has2FAEnforcement": w.has_2fa_enforcement,
                    "projects": [self.project(p) for p in w.projects if projectId in (None, p.id)],
                }
                for w in acct.external_workspaces
            ]

        def api_token(_info=None) -> dict:
            if scope.kind == "project":
                raise not_authorized()
            return {"workspaces": [{"id": w.id, "name": w.name} for w in self.visible_workspaces()]}

        def api_tokens(_info=None, **kw: Any) -> dict:
            if scope.kind != "account":
                raise not_authorized()
            return self.connection(
                acct.api_tokens,
                lambda t: {"id": t.id, "name": t.name, "workspaceId": t.workspace_id, "expiresAt": t.expires_at},
                **kw,
            )

        def workspace(_info=None, workspaceId: str = "") -> dict:
            for w in self.visible_workspaces():
                if w.id == workspaceId:
                    return self.workspace(w)
            raise not_authorized()

        def projects(
            _info=None,
            workspaceId: str | None = None,
            includeDeleted: bool | None = None,
            userId: str | None = None,
            **kw: Any,
        ) -> dict:
            if scope.kind == "project":
                raise not_authorized()
            if workspaceId is None:
                if scope.kind == "account":
                    raise GraphQLError("workspaceId is required for account tokens")
                workspaceId = scope.workspace_id
            ws = [w for w in self.visible_workspaces() if w.id == workspaceId]
            if not ws:
                raise not_authorized()
            return self.connection(ws[0].projects, self.project, **kw)

        def project(_info=None, id: str = "") -> dict:  # noqa: A002 - GraphQL argument name
            return self.project(self.find_project(id))

        def environment(_info=None, id: str = "", projectId: str | None = None) -> dict:  # noqa: A002
            for p in self.visible_projects():
                for e in p.environments:
                    if e.id == id and self.can_access(p, e):
                        return self.environment(p, e)
            raise not_authorized()

        def project_token(_info=None) -> dict:
            if scope.kind != "project":
                raise not_authorized()
            p = self.find_project(scope.project_id or "")
            tok = next(t for t in p.tokens if t.id == scope.token_id)
            return {
                "id": tok.id,
                "name": tok.name,
                "projectId": p.id,
                "environmentId": tok.environment_id,
                "createdAt": tok.created_at,
            }

        def project_tokens(_info=None, projectId: str = "", **kw: Any) -> dict:
            if scope.kind == "project":
                raise not_authorized()
            p = self.find_project(projectId)
            return self.connection(
                p.tokens,
                lambda t: {
                    "id": t.id,
                    "name": t.name,
                    "projectId": p.id,
                    "environmentId": t.environment_id,
                    "createdAt": t.created_at,
                },
                **kw,
            )

        def find_vi(vi_id: str) -> VolumeInstance:
            for p in self.visible_projects():
                for vi in p.volume_instances():
                    if vi.id == vi_id:
                        env = next((e for e in p.environments if e.id == vi.environment_id), None)
                        if env is None or not self.can_access(p, env):
                            raise not_authorized()
                        return vi
            raise not_authorized()

        def backups(_info=None, volumeInstanceId: str = "") -> list:
            return [
                {
                    "id": b.id,
                    "name": b.name,
                    "createdAt": b.created_at,
                    "expiresAt": b.expires_at,
                    "scheduleId": b.schedule_id,
                    "usedMB": b.used_mb,
                    "referencedMB": b.referenced_mb,
                    "creatorId": b.creator_id,
                }
                for b in find_vi(volumeInstanceId).backups
            ]

        def schedules(_info=None, volumeInstanceId: str = "") -> list:
            return [
                {
                    "id": s.id,
                    "name": s.name,
                    "cron": s.cron,
                    "kind": s.kind,
                    "retentionSeconds": s.retention_seconds,
                    "createdAt": s.created_at,
                }
                for s in find_vi(volumeInstanceId).schedules
            ]

        def variables(
            _info=None,
            environmentId: str = "",
            projectId: str = "",
            serviceId: str | None = None,
            unrendered: bool | None = None,
        ) -> dict:
            p = self.find_project(projectId)
            if not any(e.id == environmentId and self.can_access(p, e) for e in p.environments):
                raise not_authorized()
            out: dict[str, str] = {}
            for v in p.variables:  # shared first, then the service's own (which win)
                if v.environment_id == environmentId and v.service_id is None and not v.is_sealed:
                    out[v.name] = v.value
            if serviceId is not None:
                for v in p.variables:
                    if v.environment_id == environmentId and v.service_id == serviceId and not v.is_sealed:
                        out[v.name] = v.value
            return out

        return {
            "me": me,
            "apiToken": api_token,
            "apiTokens": api_tokens,
            "workspace": workspace,
            "projects": projects,
            "project": project,
            "environment": environment,
            "projectToken": project_token,
            "projectTokens": project_tokens,
            "volumeInstanceBackupList": backups,
            "externalWorkspaces": external_workspaces,
            "volumeInstanceBackupScheduleList": schedules,
            "variables": variables,
        }


def scope_for(account: Account, authorization: str | None, project_access_token: str | None) -> Scope | None:
    """The token's scope, or None when the headers carry no token the account knows."""
    if project_access_token:
        for p in account.projects():
            for t in p.tokens:
                if t.secret == project_access_token:
                    return Scope("project", p.workspace_id, p.id, t.environment_id, t.id)
        return None
    if authorization and authorization.startswith("Bearer "):
        secret = authorization[7:]
        for api_token in account.api_tokens:
            if api_token.secret == secret:
                if api_token.workspace_id is None:
                    return Scope("account", token_id=api_token.id)
                return Scope("workspace", workspace_id=api_token.workspace_id, token_id=api_token.id)
    return None

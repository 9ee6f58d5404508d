"""Fetch the raw account: which token this is, every visible workspace's projects with their
bundle (environments, services, service and volume instances, volumes, variable names), and,
batched with aliases, backups, backup schedules, project tokens and (opt-in) variable
fingerprints. Returns plain dicts plus the list of what could not be fetched.

Order of rounds: identity → project pages (one nested query per page; workspaces in
parallel) → batches, submitted as soon as a page yields enough items to fill one, so that
batches overlap later pages. Secret values never enter the raw result: the opt-in variable
values are replaced by keyed fingerprints the moment a response is decoded.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from auditor.core.errors import IncompleteAudit, UsageError
from providers.railway import queries as Q
from providers.railway.client import FetchFailed, PageGuard, RailwayClient, Response

TOKEN_VARIABLE_NAMES = ("RAILWAY_TOKEN", "RAILWAY_API_TOKEN")


def fingerprint(key: bytes, value: str) -> str:
    """Keyed fingerprint of a secret value: equal values compare equal, nothing is revealed."""
    return "hmac-sha256:" + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


@dataclass
class PullSettings:
    workspaces: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    fingerprint_key: bytes | None = None  # set: read variable values and fingerprint them
    concurrency: int = 8


@dataclass
class RawPull:
    token: dict[str, Any]
    user: dict[str, Any] | None
    api_tokens: list[dict[str, Any]] | None
    workspaces: list[dict[str, Any]]
    gaps: list[str]
    stats: dict[str, Any]


def _short(ids: list[str], n: int = 3) -> str:
    shown = ", ".join(ids[:n])
    return shown + (f" and {len(ids) - n} more" if len(ids) > n else "")


class Puller:
    def __init__(self, client: RailwayClient, settings: PullSettings):
        self.client = client
        self.settings = settings
        self.gaps: list[str] = []
        self.not_collected: list[str] = []  # out of the token's scope by design, not a failure
        self._lock = threading.Lock()
        self.follow_ups = 0
        self.pages = 0
        self.batch_items = 0
        self.batch_requests = 0
        self._groups: dict[str, list[tuple[str, tuple[str | None, ...], Any]]] = {}
        self._futures: list[Future] = []
        self._pool = ThreadPoolExecutor(max_workers=max(1, settings.concurrency), thread_name_prefix="railway-batch")

    def gap(self, text: str) -> None:
        with self._lock:
            self.gaps.append(f"railway: {text}")

    # ------------------------------------------------------------------ helpers
    def execute(self, document: str, variables: dict[str, Any] | None, what: str, validate: bool = True) -> Response | None:
        """The response, or None after recording why there is none. errors[] next to data mean
        some field was nulled: the data is used, and the audit is marked incomplete."""
        try:
            resp = self.client.execute(document, variables, validate=validate)
        except FetchFailed as exc:
            self.gap(f"{what}: {exc}")
            return None
        if resp.errors and resp.data is not None:
            self.gap(f"{what}: the API reported errors with partial data: {resp.error_text()}")
        return resp

    def page_through(self, conn: dict[str, Any], document: str, variables: dict[str, Any],
                     extract: Callable[[dict], dict | None], what: str) -> list[dict]:
        """Nodes of a connection, following pages with `document` while hasNextPage."""
        nodes = [e["node"] for e in conn.get("edges") or []]
        info = conn.get("pageInfo") or {}
        guard = PageGuard()
        while info.get("hasNextPage"):
            cursor = info.get("endCursor")
            if refusal := guard.refuse(cursor):
                self.gap(f"{what}: {refusal}; {len(nodes)} items read")
                break
            with self._lock:
                self.follow_ups += 1
            resp = self.execute(document, {**variables, "after": cursor}, what)
            if resp is None:
                break
            nxt = extract(resp.data or {}) if resp.data else None
            if nxt is None:
                self.gap(f"{what}: {resp.error_text()}")
                break
            nodes += [e["node"] for e in nxt.get("edges") or []]
            info = nxt.get("pageInfo") or {}
        return nodes

    # ------------------------------------------------------------------ identity
    def identify(self) -> tuple[dict, dict | None, list | None, list[dict]]:
        resp = self._required(Q.ME, "token identity (me)")
        if resp.data and resp.data.get("me"):
            me = resp.data["me"]
            tokens = self.page_through(resp.data["apiTokens"], Q.API_TOKENS_PAGE, {},
                                       lambda d: d.get("apiTokens"), "API tokens")
            return {"kind": "account"}, {k: me.get(k) for k in ("id", "name")}, tokens, list(me.get("workspaces") or [])
        first_error = resp.error_text()
        resp = self._required(Q.TOKEN_WORKSPACES, "token identity (apiToken)")
        if resp.data and resp.data.get("apiToken"):
            ws = list(resp.data["apiToken"].get("workspaces") or [])
            self.not_collected.append("API tokens: a workspace token cannot list them (outside its workspace "
                                      "scope); audit with an account token to include them")
            return {"kind": "workspace"}, None, None, ws
        raise IncompleteAudit(f"railway: the token was not accepted ({first_error}; {resp.error_text()}); "
                              "set RAILWAY_API_TOKEN to an account or workspace token")

    def identify_project_token(self) -> tuple[dict, dict]:
        resp = self._required(Q.PROJECT_TOKEN_SCOPE, "token identity (projectToken)")
        scope = (resp.data or {}).get("projectToken")
        if not scope:
            raise IncompleteAudit(f"railway: the project token was not accepted ({resp.error_text()})")
        self.gap("a project token sees one environment of one project: other environments, backups outside it, "
                 "project tokens and API tokens are not visible — a full audit needs an account or workspace token "
                 "(RAILWAY_API_TOKEN)")
        resp = self._required(Q.PROJECT_QUERY, "project bundle", {"id": scope["projectId"]})
        project = (resp.data or {}).get("project")
        if not project:
            raise IncompleteAudit(f"railway: project {scope['projectId']}: {resp.error_text()}")
        token = {"kind": "project", "id": scope.get("id"), "name": scope.get("name"),
                 "project_id": scope["projectId"], "environment_id": scope["environmentId"]}
        return token, project

    def _required(self, document: str, what: str, variables: dict | None = None) -> Response:
        try:
            return self.client.execute(document, variables)
        except FetchFailed as exc:
            raise IncompleteAudit(f"railway: {what}: {exc}") from None

    # ------------------------------------------------------------------ projects
    def complete_project(self, p: dict[str, Any]) -> dict[str, Any]:
        """Flatten a project bundle, paging any truncated connection to the end."""
        pid = p["id"]
        out = {k: p.get(k) for k in ("id", "name", "createdAt", "workspaceId")}
        for conn in Q.PROJECT_CONNECTIONS:
            out[conn] = self.page_through(
                p[conn], Q.follow_up("project", conn), {"id": pid},
                lambda d, c=conn: (d.get("project") or {}).get(c), f"project {pid}: {conn}")
        envs = []
        for env in out["environments"]:
            flat = {k: env.get(k) for k in ("id", "name", "isEphemeral", "createdAt")}
            for conn in Q.ENV_CONNECTIONS:
                flat[conn] = self.page_through(
                    env[conn], Q.follow_up("environment", conn), {"id": env["id"]},
                    lambda d, c=conn: (d.get("environment") or {}).get(c), f"environment {env['id']}: {conn}")
            envs.append(flat)
        out["environments"] = envs
        out["tokens"] = None
        for env in envs:
            for vi in env["volumeInstances"]:
                vi["backups"] = None
                vi["schedules"] = None
        return out

    def workspace_projects(self, ws: dict[str, Any]) -> None:
        """Page through a workspace's projects; queue each page's batch items at once."""
        after = None
        ws["projects"] = []
        guard = PageGuard()
        while True:
            resp = self.execute(Q.PROJECTS_PAGE_QUERY,
                                {"workspaceId": ws["id"], "first": Q.PROJECTS_PAGE, "after": after},
                                f"workspace {ws['id']}: projects")
            with self._lock:
                self.pages += 1
            if resp is None:
                return
            data = resp.data or {}
            if data.get("workspace"):
                ws.update({k: v for k, v in data["workspace"].items() if k != "id"})
            conn = data.get("projects")
            if conn is None:
                self.gap(f"workspace {ws['id']}: projects: {resp.error_text()}")
                return
            page = [self.complete_project(e["node"]) for e in conn.get("edges") or []]
            page = [p for p in page if self.wanted_project(p)]
            ws["projects"] += page
            for p in page:
                self.queue_project(p)
            info = conn.get("pageInfo") or {}
            if not info.get("hasNextPage"):
                return
            after = info.get("endCursor")
            if refusal := guard.refuse(after):
                self.gap(f"workspace {ws['id']}: projects: {refusal}")
                return

    def wanted_project(self, p: dict) -> bool:
        wanted = self.settings.projects
        return not wanted or p["id"] in wanted or p["name"] in wanted

    # ------------------------------------------------------------------ batches
    def queue_project(self, p: dict[str, Any], tokens: bool = True) -> None:
        items: list[tuple[str, tuple[str | None, ...], Any]] = []
        if tokens:
            items.append(("tokens", (p["id"],), p))
        for env in p["environments"]:
            for vi in env["volumeInstances"]:
                items.append(("backups", (vi["id"],), vi))
                items.append(("schedules", (vi["id"],), vi))
            if self.settings.fingerprint_key is not None:
                env["fingerprints"] = {}
                keys = sorted({v.get("serviceId") or "" for v in env["variables"] if not v.get("isSealed")})
                for svc in keys:
                    items.append(("values", (p["id"], env["id"], svc or None), env))
        self.add_items(items)

    def add_items(self, items: list) -> None:
        """Queue batch items; every full batch goes out at once. Full batches hold one group
        (volume-instance pairs, project tokens or variable values), so their documents are
        identical and graphql-core parses and validates each shape once per process."""
        chunks = []
        with self._lock:
            self.batch_items += len(items)
            for item in items:
                group = _GROUP[item[0]]
                pending = self._groups.setdefault(group, [])
                pending.append(item)
                if len(pending) >= Q.BATCH_FIELDS:
                    chunks.append(pending[:Q.BATCH_FIELDS])
                    del pending[:Q.BATCH_FIELDS]
        for chunk in chunks:
            self._submit(chunk)

    def _submit(self, chunk: list) -> None:
        fut = self._pool.submit(self.run_batch, chunk)
        with self._lock:
            self._futures.append(fut)

    def finish_batches(self) -> None:
        """Send what is left, all groups mixed, in as few requests as BATCH_FIELDS allows."""
        with self._lock:
            rest = [item for group in sorted(self._groups) for item in self._groups[group]]
            self._groups = {}
        for i in range(0, len(rest), Q.BATCH_FIELDS):
            self._submit(rest[i:i + Q.BATCH_FIELDS])
        while True:
            with self._lock:
                futures = [f for f in self._futures if not f.done()]
            if not futures:
                break
            for f in futures:
                f.result()
        self._pool.shutdown(wait=True)

    def prewarm(self) -> None:
        """Check the documents of the first rounds now, then, in a worker while those requests
        are on the wire: validate one document per batch item kind against the schema (batch
        documents are composed from exactly these templates, so each batch is then only parsed),
        and parse the full-batch shape so the first batch does not wait for it."""
        from providers.railway.client import check_read_only

        for doc in (Q.ME, Q.TOKEN_WORKSPACES, Q.PROJECTS_PAGE_QUERY):
            check_read_only(doc)

        def warm() -> None:
            for kind in Q.BATCH_KINDS:
                check_read_only(Q.batch_query([(kind, ("x", "y", "z")[:len(Q.BATCH_KINDS[kind][1])])])[0])
            pair = [item for i in range(Q.BATCH_FIELDS // 2)
                    for item in (("backups", (f"x{i}",)), ("schedules", (f"x{i}",)))]
            check_read_only(Q.batch_query(pair)[0], validate=False)

        self._pool.submit(warm)

    def run_batch(self, chunk: list) -> None:
        with self._lock:
            self.batch_requests += 1
        document, variables = Q.batch_query([(kind, args) for kind, args, _ in chunk])
        what = f"batch of {len(chunk)} ({_describe(chunk)})"
        resp = self.execute(document, variables, what, validate=False)  # templates checked in prewarm
        if resp is None:
            return
        data = resp.data or {}
        failed: dict[str, list[str]] = {}
        for i, (kind, args, target) in enumerate(chunk):
            value = data.get(f"i{i}")
            if value is None:
                failed.setdefault(kind, []).append("/".join(a for a in args if a))
                continue
            self.store(kind, args, target, value)
        for kind, ids in failed.items():
            self.gap(f"{_KIND_TEXT[kind]} of {_short(ids)}: {resp.error_text()}")

    def store(self, kind: str, args: tuple, target: dict, value: Any) -> None:
        if kind == "backups":
            target["backups"] = value
        elif kind == "schedules":
            target["schedules"] = value
        elif kind == "tokens":
            target["tokens"] = self.page_through(
                value, Q.PROJECT_TOKENS_PAGE, {"projectId": args[0]},
                lambda d: d.get("projectTokens"), f"project {args[0]}: project tokens")
        elif kind == "values":
            key = self.settings.fingerprint_key
            assert key is not None
            fps = {name: fingerprint(key, val) for name, val in value.items() if isinstance(val, str)} if isinstance(value, dict) else {}
            target["fingerprints"][args[2] or ""] = fps
            value.clear() if isinstance(value, dict) else None  # drop the values now

    # ------------------------------------------------------------------ everything
    def run(self, token_kind_hint: str) -> RawPull:
        user = None
        api_tokens = None
        self.prewarm()
        try:
            if token_kind_hint == "project":
                token, project = self.identify_project_token()
                flat = self.complete_project(project)
                self.queue_project(flat, tokens=False)
                workspaces = [{"id": flat.get("workspaceId") or "unknown", "name": None, "projects": [flat]}]
            else:
                token, user, api_tokens, workspaces = self.identify()
                workspaces = self.filter_workspaces(workspaces)
                token["workspaces"] = [w["id"] for w in workspaces] if token["kind"] == "workspace" else None
                with ThreadPoolExecutor(max_workers=max(1, min(4, len(workspaces))), thread_name_prefix="railway-ws") as pool:
                    list(pool.map(self.workspace_projects, workspaces))
                if self.settings.projects:
                    found = {p["id"] for w in workspaces for p in w["projects"]} | {p["name"] for w in workspaces for p in w["projects"]}
                    missing = [x for x in self.settings.projects if x not in found]
                    if missing and not self.gaps:
                        raise UsageError(f"--project {missing[0]}: no such project among the ones this token can see")
            self.finish_batches()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
        for w in workspaces:
            for p in w["projects"]:
                for env in p["environments"]:
                    for vi in env["volumeInstances"]:
                        if vi.get("backups") is None and not any("backups" in g for g in self.gaps):
                            self.gap(f"backups of volume instance {vi['id']}: not fetched")
        return RawPull(token, user, api_tokens, workspaces, sorted(self.gaps), self.stats(token, workspaces))

    def filter_workspaces(self, workspaces: list[dict]) -> list[dict]:
        wanted = self.settings.workspaces
        if not wanted:
            return [dict(w) for w in workspaces]
        chosen = [dict(w) for w in workspaces if w["id"] in wanted or w.get("name") in wanted]
        known = {w["id"] for w in workspaces} | {w.get("name") for w in workspaces}
        for name in wanted:
            if name not in known:
                names = ", ".join(sorted(str(w.get("name")) for w in workspaces)) or "none"
                raise UsageError(f"--workspace {name}: not a workspace this token can see ({names})")
        return chosen

    def stats(self, token: dict, workspaces: list[dict]) -> dict[str, Any]:
        identity = {"account": 1, "workspace": 2, "project": 2}[token["kind"]]
        pages = [max(1, math.ceil(len(w["projects"]) / Q.PROJECTS_PAGE)) for w in workspaces] if token["kind"] != "project" else [0]
        batches = math.ceil(self.batch_items / Q.BATCH_FIELDS)
        minimum = identity + sum(pages) + self.follow_ups + batches
        return {
            "requests": self.client.sent,
            "requests_minimum": minimum,
            "requests_retried": self.client.retried,
            "rate_limited": self.client.rate_limited,
            "rate_limit_pauses": self.client.paused,
            "project_pages": self.pages,
            "follow_up_requests": self.follow_ups,
            "batch_requests": self.batch_requests,
            "batch_items": self.batch_items,
            "dependent_rounds": identity + max(pages or [0]) + (1 if self.batch_items else 0),
            "rate_limit_remaining": self.client.last_remaining,
            "not_collected": list(self.not_collected),
        }


_GROUP = {"backups": "a-volume-instances", "schedules": "a-volume-instances", "tokens": "b-tokens", "values": "c-values"}
_KIND_TEXT = {"backups": "backups", "schedules": "backup schedules", "tokens": "project tokens",
              "values": "variable values"}


def _describe(chunk: list) -> str:
    counts: dict[str, int] = {}
    for kind, _args, _t in chunk:
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"{n} {_KIND_TEXT[k]}" for k, n in sorted(counts.items()))

"""Fetch the raw account: which token this is, every visible workspace's projects with their
bundle (environments, services, service and volume instances, volumes, variable names), and,
batched with aliases, backups, backup schedules, project tokens and (opt-in) variable
fingerprints. Returns plain dicts plus the list of what could not be fetched.

Order of rounds: identity (with the owner's workspace roles) → project pages (one nested
query per page; workspaces in parallel, with the projects shared by invitation listed
alongside) → batches, submitted as soon as a page yields enough items to fill one, so that
batches overlap later pages. A page one restricted environment makes unreadable is read again
project by project, then environment by environment; an answer that looks like a size limit
halves the page or batch size. An answer without the schema's shape (a null list, a repeated
item) is a gap, never "none". Secret values never enter the raw result: the opt-in variable
values are replaced by keyed fingerprints the moment a response is decoded. A listener hears of
each project bundle once every request is out and again once its batch answers are in, so the
caller can translate while the answers travel.
"""

from __future__ import annotations

import _thread
import contextlib
import hashlib
import hmac
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple, Protocol, cast

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


class BatchItem(NamedTuple):
    """One aliased root field of a batch request: what to read, with which arguments, where the
    answer goes, and the project it completes (`id()` of its bundle)."""

    kind: str  # backups, schedules, tokens, values
    args: tuple[str | None, ...]
    target: dict[str, Any]
    project: int


class ProjectListener(Protocol):
    """Told about each project bundle (with its workspace's id) while the pull goes on, so that
    it can be translated before the last answer arrives."""

    def read(self, p: dict[str, Any], workspace_id: str) -> None:
        """The bundle is read and its batch items are on the wire; called while the pull has
        nothing to do but wait for answers. Not called for a project whose variable values
        are being read (its variables are not final until they are)."""

    def answered(self, p: dict[str, Any], workspace_id: str) -> None:
        """Nothing more but its project tokens will be read into it; called from whichever
        thread read the last of it."""


@dataclass
class RawPull:
    token: dict[str, Any]
    user: dict[str, Any] | None
    api_tokens: list[dict[str, Any]] | None
    workspaces: list[dict[str, Any]]
    gaps: list[str]
    stats: dict[str, Any]


#: longest the main thread waits for the batch requests to leave before translating
SENT_WAIT = 0.25
#: longest flattening a page waits for a batch it filled to leave
BATCH_LEAVE_WAIT = 0.02


class Once:
    """A callable that calls `fn` the first time only (from any thread)."""

    def __init__(self, fn: Callable[[], None]) -> None:
        self._fn: Callable[[], None] | None = fn
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            fn, self._fn = self._fn, None
        if fn is not None:
            fn()


def in_bare_thread(work: Callable[[], Any]) -> Future:
    """`work()` in a thread of its own, its result in the Future returned. Unlike a pool's
    submit, this does not wait for the new thread to start running: the request the caller
    sends next (the 1 MB projects page) leaves first."""
    future: Future = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to whoever reads the result, as a pool would
            future.set_exception(exc)

    _thread.start_new_thread(run, ())
    return future


def _meet(barrier: threading.Barrier) -> None:
    """Wait until every thread of a pool is running (see Puller.prewarm); a broken or timed-out
    meeting only means some threads start later."""
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()


def _short(ids: list[str], n: int = 3) -> str:
    shown = ", ".join(ids[:n])
    return shown + (f" and {len(ids) - n} more" if len(ids) > n else "")


class Puller:
    def __init__(self, client: RailwayClient, settings: PullSettings, listener: ProjectListener | None = None):
        self.client = client
        self.settings = settings
        self.listener = listener
        self.gaps: list[str] = []
        self.not_collected: list[str] = []  # out of the token's scope by design, not a failure
        self._lock = threading.Lock()
        self.assumptions: list[str] = []  # what the audit had to assume, said in the source's meta
        self.quota: dict[str, Any] | None = None  # the API's own count of what is left (see note_quota)
        self.page_size = Q.PROJECTS_PAGE
        self.batch_fields = Q.BATCH_FIELDS
        self.shrunk: list[str] = []
        self.follow_ups = 0
        self.pages = 0
        self.batch_items = 0
        self.batch_requests = 0
        self._groups: dict[str, list[BatchItem]] = {}
        #: id() of a project bundle -> [batch items not yet answered, the bundle, its workspace id]
        self._unanswered: dict[int, list[Any]] = {}
        self._read: list[tuple[dict[str, Any], str]] = []  # bundles read, not yet told to the listener
        self._futures: list[Future] = []
        #: batch requests submitted, and those since sent (or finished without being sent)
        self._out = threading.Condition(self._lock)
        self._submitted = 0
        self._left = 0
        self._answers_in = 0
        self._meeting: threading.Barrier | None = None  # the batch threads starting together (prewarm)
        self._pool = ThreadPoolExecutor(max_workers=max(1, settings.concurrency), thread_name_prefix="railway-batch")

    def gap(self, text: str) -> None:
        with self._lock:
            self.gaps.append(f"railway: {text}")

    # ------------------------------------------------------------------ helpers
    def execute(
        self, document: str, variables: dict[str, Any] | None, what: str, validate: bool = True
    ) -> Response | None:
        """The response, or None after recording why there is none. errors[] next to data mean
        some field was nulled: the data is used, and the audit is marked incomplete."""
        resp, error = self.try_execute(document, variables, validate)
        if resp is None:
            self.gap(f"{what}: {error}")
            return None
        if resp.errors and resp.data is not None:
            self.gap(f"{what}: the API reported errors with partial data: {resp.error_text()}")
        return resp

    def try_execute(
        self, document: str, variables: dict[str, Any] | None, validate: bool = True
    ) -> tuple[Response | None, str]:
        """(response, "") or (None, why): records nothing, for callers that have a fallback."""
        try:
            return self.client.execute(document, variables, validate=validate), ""
        except FetchFailed as exc:
            return None, str(exc)

    def edges(self, conn: Any, what: str) -> list[dict] | None:
        """The nodes of one page, or None after recording a gap when the answer does not have a
        connection's shape (a null where the list of edges should be): never read as "none"."""
        if not isinstance(conn, dict) or not isinstance(conn.get("edges"), list):
            self.gap(f"{what}: the answer has no list of items where the schema promises one; not read")
            return None
        nodes = [e.get("node") if isinstance(e, dict) else None for e in conn["edges"]]
        if any(not isinstance(n, dict) or not n.get("id") for n in nodes):
            self.gap(f"{what}: the answer has an item without an id; not read")
            return None
        return cast(list[dict], nodes)  # every node was just checked to be a dict with an id

    def next_cursor(self, conn: dict[str, Any], what: str, read: int, guard: PageGuard | None = None) -> str | None:
        """The cursor of the next page, or None when this was the last page (or, after recording
        a gap, when the page says there is more but gives no way to get it). The one place a
        page's cursor is advanced."""
        info = conn.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            return None
        cursor = info.get("endCursor")
        if not cursor:
            self.gap(f"{what}: page says there is more but gives no cursor; {read} items read")
            return None
        if guard is not None and (refusal := guard.refuse(cursor)):
            self.gap(f"{what}: {refusal}; {read} items read")  # a cursor loop or the page cap
            return None
        return cursor

    def unique(self, nodes: list[dict], seen: set[str], what: str) -> list[dict]:
        """Drop items already read in this connection, recording a gap: a repeated item means
        the pages do not add up, so what was left out is unknown."""
        out = []
        for node in nodes:
            if node["id"] in seen:
                self.gap(f"{what}: the API returned {node['id']} twice; the listing cannot be trusted to be whole")
                continue
            seen.add(node["id"])
            out.append(node)
        return out

    def page_through(
        self,
        conn: Any,
        document: str,
        variables: dict[str, Any],
        extract: Callable[[dict], dict | None],
        what: str,
    ) -> list[dict] | None:
        """Nodes of a connection, following pages with `document` while hasNextPage; None when
        the first page has no list of items (a gap is recorded)."""
        first = self.edges(conn, what)
        if first is None:
            return None
        seen: set[str] = set()
        nodes = self.unique(first, seen, what)
        guard = PageGuard()
        while True:
            cursor = self.next_cursor(conn, what, len(nodes), guard)
            if cursor is None:
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
            page = self.edges(nxt, what)
            if page is None:
                break
            nodes += self.unique(page, seen, what)
            conn = nxt
        return nodes

    # ------------------------------------------------------------------ identity
    def identify(self) -> tuple[dict, dict | None, list | None, list[dict]]:
        resp = self._required(Q.ME, "token identity (me)")
        me = (resp.data or {}).get("me")
        roles_read = True
        if not me and _error_under(resp, "members"):
            # the roles could not be read: the identity still can, and every role is unknown
            first_error = resp.error_text()
            resp = self._required(Q.ME_WITHOUT_ROLES, "token identity (me)")
            me = (resp.data or {}).get("me")
            roles_read = False
            if me:
                self.assumptions.append(
                    f"the token owner's workspace roles could not be read ({first_error}); "
                    "the token is assumed able to delete everything in its workspaces"
                )
        if me:
            tokens = self.page_through(
                (resp.data or {}).get("apiTokens"), Q.API_TOKENS_PAGE, {}, lambda d: d.get("apiTokens"), "API tokens"
            )
            workspaces = me.get("workspaces")
            if not isinstance(workspaces, list):
                self.gap("token identity: me.workspaces came back null; no workspace of this account was read")
                workspaces = []
            user = {"id": me.get("id"), "name": me.get("name")}
            self.note_quota(me.get("apiTokenRateLimit"))
            out = []
            for w in workspaces:
                if not isinstance(w, dict) or not w.get("id"):
                    self.gap("token identity: a workspace without an id; not read")
                    continue
                role = None
                if roles_read and isinstance(w.get("members"), list):
                    mine = [m for m in w["members"] if isinstance(m, dict) and m.get("id") == me.get("id")]
                    role = mine[0].get("role") if mine else None
                out.append({"id": w["id"], "name": w.get("name"), "role": role})
            return {"kind": "account"}, user, tokens, out
        first_error = resp.error_text()
        resp = self._required(Q.TOKEN_WORKSPACES, "token identity (apiToken)")
        if resp.data and resp.data.get("apiToken"):
            ws = resp.data["apiToken"].get("workspaces")
            if not isinstance(ws, list):
                self.gap("token identity: apiToken.workspaces came back null; no workspace was read")
                ws = []
            self.not_collected.append(
                "API tokens: a workspace token cannot list them (outside its workspace "
                "scope); audit with an account token to include them"
            )
            return {"kind": "workspace"}, None, None, [dict(w, role="ADMIN") for w in ws if isinstance(w, dict)]
        raise IncompleteAudit(
            f"railway: the token was not accepted ({first_error}; {resp.error_text()}); "
            "set RAILWAY_API_TOKEN to an account or workspace token"
        )

    def note_quota(self, limit: Any) -> None:
        """The API's count of what is left: an account token's own (me.apiTokenRateLimit) or,
        for a workspace token, its workspace's (Workspace.apiTokenRateLimit). Project tokens
        have none in the schema."""
        if not isinstance(limit, dict):
            return
        with self._lock:
            if self.quota is None:
                self.quota = {"remaining_points": limit.get("remainingPoints"), "resets_at": limit.get("resetsAt")}

    def external_workspaces(self) -> list[dict]:
        """Workspaces the user is not a member of but has projects in (shared by invitation)."""
        resp = self.execute(Q.EXTERNAL_WORKSPACES, None, "projects shared by invitation (externalWorkspaces)")
        if resp is None or resp.data is None:
            return []
        found = resp.data.get("externalWorkspaces")
        if not isinstance(found, list):
            self.gap("projects shared by invitation: externalWorkspaces came back null; not read")
            return []
        out = []
        for w in found:
            if not isinstance(w, dict) or not w.get("id") or not isinstance(w.get("projects"), list):
                self.gap("projects shared by invitation: a workspace without an id or a list of projects; not read")
                continue
            ids = [p["id"] for p in w["projects"] if isinstance(p, dict) and p.get("id")]
            out.append(
                {
                    "id": w["id"],
                    "name": w.get("name"),
                    "has2FAEnforcement": w.get("has2FAEnforcement"),
                    "role": None,
                    "external": True,
                    "project_ids": ids,
                }
            )
        return out

    def identify_project_token(self) -> tuple[dict, dict]:
        resp = self._required(Q.PROJECT_TOKEN_SCOPE, "token identity (projectToken)")
        scope = (resp.data or {}).get("projectToken")
        if not scope:
            raise IncompleteAudit(f"railway: the project token was not accepted ({resp.error_text()})")
        self.gap(
            "a project token sees one environment of one project: other environments, backups outside it, "
            "project tokens and API tokens are not visible — a full audit needs an account or workspace token "
            "(RAILWAY_API_TOKEN)"
        )
        project = self.fetch_project(scope["projectId"])
        if not project:
            raise IncompleteAudit(f"railway: project {scope['projectId']}: not readable with this token")
        token = {
            "kind": "project",
            "id": scope.get("id"),
            "name": scope.get("name"),
            "project_id": scope["projectId"],
            "environment_id": scope["environmentId"],
        }
        return token, project

    def _required(self, document: str, what: str, variables: dict | None = None) -> Response:
        try:
            return self.client.execute(document, variables)
        except FetchFailed as exc:
            raise IncompleteAudit(f"railway: {what}: {exc}") from None

    # ------------------------------------------------------------------ projects
    def fetch_project(self, pid: str) -> dict[str, Any] | None:
        """One project by id: its whole bundle, or, when that cannot be read (a restricted
        environment nulls the bundle), its outline and then each environment it may access on
        its own, so an unreadable environment costs only itself."""
        resp, error = self.try_execute(Q.PROJECT_QUERY, {"id": pid})
        project = (resp.data or {}).get("project") if resp is not None else None
        if isinstance(project, dict):
            if resp is not None and resp.errors:
                self.gap(f"project {pid}: the API reported errors with partial data: {resp.error_text()}")
            return self.complete_project(project)
        why = error or (resp.error_text() if resp is not None else "no data")
        resp, error = self.try_execute(Q.PROJECT_OUTLINE_QUERY, {"id": pid})
        outline = (resp.data or {}).get("project") if resp is not None else None
        if not isinstance(outline, dict):
            self.gap(f"project {pid}: {why}")
            return None
        return self.complete_project(outline, outline=True)

    def complete_project(self, p: dict[str, Any], outline: bool = False) -> dict[str, Any]:
        """Flatten a project bundle, paging any truncated connection to the end. An environment
        the token cannot access (canAccess false) is a gap naming it, whatever its connections say;
        with `outline`, each accessible environment's connections are fetched on their own."""
        pid = p["id"]
        out: dict[str, Any] = {k: p.get(k) for k in ("id", "name", "createdAt", "workspaceId")}
        unread = []
        for conn in Q.PROJECT_CONNECTIONS:
            nodes = whole_page(p.get(conn))
            if nodes is None:  # anything but one clean page: the careful way, which records gaps
                nodes = self.page_through(
                    p.get(conn),
                    Q.follow_up("project", conn, outline and conn == "environments"),
                    {"id": pid},
                    partial(_child, "project", conn),
                    f"project {pid}: {conn}",
                )
            if nodes is None:
                unread.append(conn)
            out[conn] = nodes or []
        envs = []
        for env in out["environments"]:
            flat = {k: env.get(k) for k in ("id", "name", "isEphemeral", "createdAt", "canAccess")}
            flat["unread"] = []
            if not outline and env.get("canAccess") is not False:
                pages = [whole_page(env.get(conn)) for conn in Q.ENV_CONNECTIONS]
                if None not in pages:  # every connection whole in the bundle (nearly always)
                    flat.update(zip(Q.ENV_CONNECTIONS, cast(list[list[dict]], pages), strict=True))
                    envs.append(flat)
                    continue
            label = f"environment {env.get('name') or env['id']} ({env['id']}) of project {p.get('name') or pid}"
            if env.get("canAccess") is False:
                self.gap(
                    f"{label}: the token cannot access it (a restricted environment); its services, volumes "
                    "and variables were not read"
                )
                source = None
            elif outline:
                resp = self.execute(Q.ENVIRONMENT_QUERY, {"id": env["id"]}, label)
                source = (resp.data or {}).get("environment") if resp is not None else None
                if not isinstance(source, dict) and resp is not None:
                    self.gap(f"{label}: {resp.error_text()}")
            else:
                source = env
            for conn in Q.ENV_CONNECTIONS:
                nodes = None
                if isinstance(source, dict):
                    nodes = self.page_through(
                        source.get(conn),
                        Q.follow_up("environment", conn),
                        {"id": env["id"]},
                        partial(_child, "environment", conn),
                        f"{label}: {conn}",
                    )
                if nodes is None:
                    flat["unread"].append(conn)
                flat[conn] = nodes or []
            envs.append(flat)
        out["environments"] = envs
        out["unread"] = unread
        out["tokens"] = None
        for env in envs:
            for vi in env["volumeInstances"]:
                vi["backups"] = None
                vi["schedules"] = None
        return out

    def workspace_projects(self, ws: dict[str, Any]) -> None:
        """Page through a workspace's projects; queue each page's batch items at once. A page
        that cannot be read whole is read again project by project."""
        ws["projects"] = []
        seen: set[str] = set()
        guard = PageGuard()
        what = f"workspace {ws.get('name') or ws['id']}: projects"
        if ws.get("external"):
            for pid in ws.get("project_ids") or []:
                self.add_projects(ws, [pid], seen, what)
            return
        after = None
        while True:
            variables = {"workspaceId": ws["id"], "first": self.page_size, "after": after}
            resp, error = self.try_execute(Q.PROJECTS_PAGE_QUERY, variables)
            with self._lock:
                self.pages += 1
            if resp is None and self.page_size > 1 and _size_limited(error):
                self.shrink("page", error)
                continue
            conn = (resp.data or {}).get("projects") if resp is not None else None
            if resp is not None and resp.data and isinstance(resp.data.get("workspace"), dict):
                found = dict(resp.data["workspace"])
                self.note_quota(found.pop("apiTokenRateLimit", None))
                ws.update({k: v for k, v in found.items() if k != "id"})
            if conn is not None:
                if resp is not None and resp.errors:
                    self.gap(f"{what}: the API reported errors with partial data: {resp.error_text()}")
                nodes = self.edges(conn, what)
                if nodes is None:
                    return
                self.add_page(ws, self.unique(nodes, seen, what))
            else:
                # the page as a whole is unreadable: list its projects, then read them one by one
                reason = error or (resp.error_text() if resp is not None else "no data")
                outline, _ = self.try_execute(Q.PROJECTS_OUTLINE_PAGE, variables)
                conn = (outline.data or {}).get("projects") if outline is not None else None
                if conn is None:
                    self.gap(f"{what}: {reason}")
                    return
                nodes = self.edges(conn, what)
                if nodes is None:
                    return
                self.add_projects(ws, [n["id"] for n in self.unique(nodes, seen, what)], set(), what)
            after = self.next_cursor(conn, what, len(seen), guard)
            if after is None:
                return

    def add_projects(self, ws: dict, ids: list[str], seen: set[str], what: str) -> None:
        page = []
        for pid in ids:
            if pid in seen:
                self.gap(f"{what}: the API returned {pid} twice; the listing cannot be trusted to be whole")
                continue
            seen.add(pid)
            project = self.fetch_project(pid)
            if project is not None:
                page.append(project)
        self.add_pages(ws, page)

    def add_page(self, ws: dict, nodes: list[dict]) -> None:
        """Flatten and queue a page's projects one by one. Each full batch leaves as soon as its
        items are known, and flattening waits (briefly) until it has: the first answers then
        arrive while the rest of the page is still being sent, instead of every batch waiting
        for the whole page, and the batch thread writing a request does not compete with the
        flattening for the interpreter."""
        for node in nodes:
            p = self.complete_project(node)
            if not self.wanted_project(p):
                continue
            ws["projects"].append(p)
            with self._lock:
                submitted = self._submitted
            self.queue_project(p, ws["id"])
            with self._lock:
                if self._submitted == submitted:
                    continue
            self.wait_until_sent(BATCH_LEAVE_WAIT)

    def add_pages(self, ws: dict, page: list[dict]) -> None:
        page = [p for p in page if self.wanted_project(p)]
        ws["projects"] += page
        held: list[list[BatchItem]] = []  # the page's full batches, sent together once all are queued
        for p in page:
            self.queue_project(p, ws["id"], held=held)
        for chunk in held:
            self._submit(chunk)

    def shrink(self, what: str, error: str) -> None:
        """Halve the page or batch size after an answer that looks like a size limit."""
        with self._lock:
            if what == "page":
                self.page_size = max(1, self.page_size // 2)
            else:
                self.batch_fields = max(1, self.batch_fields // 2)
            self.shrunk.append(
                f"{what} size halved to {self.page_size if what == 'page' else self.batch_fields} ({error[:80]})"
            )

    def wanted_project(self, p: dict) -> bool:
        wanted = self.settings.projects
        return not wanted or p["id"] in wanted or p["name"] in wanted

    # ------------------------------------------------------------------ batches
    def queue_project(
        self, p: dict[str, Any], ws_id: str, tokens: bool = True, held: list[list[BatchItem]] | None = None
    ) -> None:
        key = id(p)
        items: list[BatchItem] = []
        if tokens:
            items.append(BatchItem("tokens", (p["id"],), p, key))
        values = False
        for env in p["environments"]:
            for vi in env["volumeInstances"]:
                args = (vi["id"],)
                items += (BatchItem("backups", args, vi, key), BatchItem("schedules", args, vi, key))
            if self.settings.fingerprint_key is not None:
                env["fingerprints"] = {}
                keys = sorted({v.get("serviceId") or "" for v in env["variables"] if not v.get("isSealed")})
                for svc in keys:
                    items.append(BatchItem("values", (p["id"], env["id"], svc or None), env, key))
                    values = True
        # the project's body is done when its volume instances' items are in; its tokens are
        # translated last, so a project does not wait for the batch that carries them
        body_items = len(items) - (1 if tokens else 0)
        with self._lock:
            if body_items:
                self._unanswered[key] = [body_items, p, ws_id]
            if not values:
                self._read.append((p, ws_id))
        self.add_items(items, held)
        if not body_items:
            self.project_done(p, ws_id)

    def answered(self, chunk: list[BatchItem]) -> None:
        """Count a batch's items as answered (read or recorded as a gap); a project whose last
        item but its tokens this was is complete."""
        done = []
        with self._lock:
            for item in chunk:
                if item.kind == "tokens":
                    continue
                entry = self._unanswered[item.project]
                entry[0] -= 1
                if entry[0] == 0:
                    done.append(self._unanswered.pop(item.project))
        for _, p, ws_id in done:
            self.project_done(p, ws_id)

    def project_done(self, p: dict[str, Any], ws_id: str) -> None:
        """Nothing more but its project tokens will be read into this project: mark what was
        not, and hand it on."""
        for env in p["environments"]:
            for vi in env["volumeInstances"]:
                vi["unread"] = [k for k in ("backups", "schedules") if vi.get(k) is None]
        if self.listener is not None:
            self.listener.answered(p, ws_id)

    def add_items(self, items: list[BatchItem], held: list[list[BatchItem]] | None = None) -> None:
        """Queue batch items; every full batch goes out at once (or, with `held`, is put there
        for the caller to send). Full batches hold one group (volume-instance pairs, project
        tokens or variable values), so their documents are identical and graphql-core parses and
        validates each shape once per process."""
        chunks = []
        with self._lock:
            self.batch_items += len(items)
            for item in items:
                group = _GROUP[item.kind]
                pending = self._groups.setdefault(group, [])
                pending.append(item)
                if len(pending) >= self.batch_fields:
                    chunks.append(pending[: self.batch_fields])
                    del pending[: self.batch_fields]
        if held is not None:
            held += chunks
            return
        for chunk in chunks:
            self._submit(chunk)

    def _submit(self, chunk: list[BatchItem]) -> None:
        with self._lock:
            self._submitted += 1
            meeting = self._meeting
        if meeting is not None:  # threads still waiting to meet would hold back this batch: release them
            meeting.abort()
        fut = self._pool.submit(self.run_batch, chunk)
        with self._lock:
            self._futures.append(fut)

    def _batch_left(self) -> None:
        """One more batch request has left (or will not: it failed or was split)."""
        with self._out:
            self._left += 1
            self._out.notify_all()

    def wait_until_sent(self, timeout: float = SENT_WAIT) -> None:
        """Wait (at most `timeout`) until every batch submitted so far has left, so that the
        translation that follows does not hold the interpreter while the batch threads compose
        and write their requests: the last batch's departure bounds the whole pull."""
        with self._out:
            # an answer already in means the server is quicker than the sending: stop waiting
            self._out.wait_for(lambda: self._left >= self._submitted or self._answers_in > 0, timeout)

    def finish_batches(self) -> None:
        """Send what is left, all groups mixed, in as few requests as BATCH_FIELDS allows."""
        with self._lock:
            rest = [item for group in sorted(self._groups) for item in self._groups[group]]
            self._groups = {}
        size = self.batch_fields
        for i in range(0, len(rest), size):
            self._submit(rest[i : i + size])
        if self.listener is not None:
            self.wait_until_sent()
        self.tell_read()
        while True:
            with self._lock:
                futures = [f for f in self._futures if not f.done()]
            if not futures:
                break
            for f in futures:
                f.result()
        # every batch is answered: the idle threads leave on their own, without the pull
        # joining each of them after its last answer
        self._pool.shutdown(wait=False)

    def tell_read(self) -> None:
        """Every request is out: while the answers travel, hand the listener the bundles read."""
        if self.listener is None:
            return
        with self._lock:
            read, self._read = self._read, []
        for p, ws_id in read:
            self.listener.read(p, ws_id)

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
                check_read_only(Q.batch_query([(kind, ("x", "y", "z")[: len(Q.BATCH_KINDS[kind][1])])])[0])
            pair: list[tuple[str, tuple[str | None, ...]]] = [
                item
                for i in range(Q.BATCH_FIELDS // 2)
                for item in (("backups", (f"x{i}",)), ("schedules", (f"x{i}",)))
            ]
            check_read_only(Q.batch_query(pair)[0], validate=False)
            # start every batch thread now: a thread started when its batch is submitted makes
            # the submitting thread wait for it, while the batches already out compete for the
            # interpreter
            workers = max(1, self.settings.concurrency)
            with self._lock:
                if workers < 2 or self._submitted:  # too late: the batches start their own threads
                    return
                self._meeting = started = threading.Barrier(workers, timeout=0.25)
            for _ in range(workers):
                self._pool.submit(_meet, started)

        def warm_quietly() -> None:
            # nothing here is the pull's to fail (the pool future it once ran in was never read):
            # a pull that ended before this ran has shut its pool, and the batches parse and
            # check their own documents
            with contextlib.suppress(Exception):
                warm()

        # once the first request has left, in a bare thread: nothing here may hold it back (a
        # pool thread's start waits for the thread to run, and these checks hold the interpreter)
        self.client.when_first_sent(warm_quietly)

    def run_batch(self, chunk: list[BatchItem]) -> None:
        sent = Once(self._batch_left)
        try:
            self.read_batch(chunk, sent)
        finally:
            sent()
        with self._out:
            self._answers_in += 1
            self._out.notify_all()
        self.answered(chunk)

    def read_batch(self, chunk: list[BatchItem], on_sent: Callable[[], None] | None = None) -> None:
        with self._lock:
            self.batch_requests += 1
        document, variables = Q.batch_query([(item.kind, item.args) for item in chunk])
        try:  # templates checked in prewarm
            resp, error = self.client.execute(document, variables, validate=False, on_sent=on_sent), ""
        except FetchFailed as exc:
            resp, error = None, str(exc)
        if resp is None and len(chunk) > 1 and _size_limited(error):
            self.shrink("batch", error)
            half = len(chunk) // 2
            self.read_batch(chunk[:half])
            self.read_batch(chunk[half:])
            return
        what = f"batch of {len(chunk)} ({_describe(chunk)})" if resp is None or resp.errors else ""
        if resp is None:
            self.gap(f"{what}: {error}")
            return
        if resp.errors and resp.data is not None:
            self.gap(f"{what}: the API reported errors with partial data: {resp.error_text()}")
        data = resp.data or {}
        failed: dict[str, list[str]] = {}
        for i, (kind, args, target, _project) in enumerate(chunk):
            value = data.get(f"i{i}")
            if value is None:
                failed.setdefault(kind, []).append("/".join(a for a in args if a))
                continue
            self.store(kind, args, target, value)
        for kind, ids in failed.items():
            self.gap(f"{_KIND_TEXT[kind]} of {_short(ids)}: {resp.error_text()}")

    def store(self, kind: str, args: tuple[str | None, ...], target: dict[str, Any], value: Any) -> None:
        if kind == "backups":
            target["backups"] = value
        elif kind == "schedules":
            target["schedules"] = value
        elif kind == "tokens":
            # one clean page (every project here) is read in one pass; anything else the careful
            # way, which follows pages and records what is wrong (tests/providers/railway/test_whole_page.py)
            target["tokens"] = whole_page(value) or self.page_through(
                value,
                Q.PROJECT_TOKENS_PAGE,
                {"projectId": args[0]},
                lambda d: d.get("projectTokens"),
                f"project {args[0]}: project tokens",
            )
        elif kind == "values":
            key = self.settings.fingerprint_key
            assert key is not None
            fps = (
                {name: fingerprint(key, val) for name, val in value.items() if isinstance(val, str)}
                if isinstance(value, dict)
                else {}
            )
            target["fingerprints"][args[2] or ""] = fps
            value.clear() if isinstance(value, dict) else None  # drop the values now

    # ------------------------------------------------------------------ everything
    def run(self, token_kind_hint: str) -> RawPull:
        user = None
        api_tokens = None
        self.prewarm()
        try:
            if token_kind_hint == "project":
                token, flat = self.identify_project_token()
                workspaces: list[dict[str, Any]] = [
                    {"id": flat.get("workspaceId") or "unknown", "name": None, "projects": [flat]}
                ]
                self.queue_project(flat, workspaces[0]["id"], tokens=False)
            else:
                token, user, api_tokens, workspaces = self.identify()
                token["workspaces"] = [w["id"] for w in workspaces] if token["kind"] == "workspace" else None
                pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="railway-ws")
                try:
                    # projects shared by invitation are listed while the member workspaces page
                    external = in_bare_thread(self.external_workspaces) if token["kind"] == "account" else None
                    members = self.filter_workspaces(workspaces, strict=external is None)
                    self.each_workspace(pool, members)
                    if external is not None:
                        workspaces = self.filter_workspaces(workspaces + external.result())
                        shared = [w for w in workspaces if w.get("external")]
                        self.each_workspace(pool, shared)
                        workspaces = members + shared
                    else:
                        workspaces = members
                except BaseException:
                    pool.shutdown(wait=True, cancel_futures=True)
                    raise
                # every result was taken: the idle threads leave on their own, without the
                # main thread waiting for each while the first batches are being sent
                pool.shutdown(wait=False)
                if self.settings.projects:
                    found = {p["id"] for w in workspaces for p in w["projects"]} | {
                        p["name"] for w in workspaces for p in w["projects"]
                    }
                    missing = [x for x in self.settings.projects if x not in found]
                    if missing and not self.gaps:
                        raise UsageError(f"--project {missing[0]}: no such project among the ones this token can see")
            self.finish_batches()
        except BaseException:
            self._pool.shutdown(wait=True, cancel_futures=True)
            raise
        for w in workspaces:
            for p in w["projects"]:
                for env in p["environments"]:
                    for vi in env["volumeInstances"]:
                        if vi.get("backups") is None and not any("backups" in g for g in self.gaps):
                            self.gap(f"backups of volume instance {vi['id']}: not fetched")
                        vi["unread"] = [k for k in ("backups", "schedules") if vi.get(k) is None]
        return RawPull(token, user, api_tokens, workspaces, sorted(self.gaps), self.stats(token, workspaces))

    def each_workspace(self, pool: ThreadPoolExecutor, workspaces: list[dict]) -> None:
        """List every workspace's projects, in parallel; one alone is listed in this thread, so
        that nothing stands between its last page and the last batch request."""
        if len(workspaces) == 1:
            self.workspace_projects(workspaces[0])
        else:
            list(pool.map(self.workspace_projects, workspaces))

    def filter_workspaces(self, workspaces: list[dict], strict: bool = True) -> list[dict]:
        """The workspaces --workspace names (all without it); `strict`: a name matching none is
        a usage error (checked once the shared workspaces are known too)."""
        wanted = self.settings.workspaces
        if not wanted:
            return list(workspaces)
        chosen = [w for w in workspaces if w["id"] in wanted or w.get("name") in wanted]
        known = {w["id"] for w in workspaces} | {w.get("name") for w in workspaces}
        for name in wanted if strict else ():
            if name not in known:
                names = ", ".join(sorted(str(w.get("name")) for w in workspaces)) or "none"
                raise UsageError(f"--workspace {name}: not a workspace this token can see ({names})")
        return chosen

    def stats(self, token: dict, workspaces: list[dict]) -> dict[str, Any]:
        # account: me + externalWorkspaces (sent alongside the first project pages)
        identity = {"account": 2, "workspace": 2, "project": 2}[token["kind"]]
        member = [w for w in workspaces if not w.get("external")]
        pages = [max(1, math.ceil(len(w["projects"]) / Q.PROJECTS_PAGE)) for w in member]
        if token["kind"] == "project":
            pages = [0]
        shared = sum(len(w.get("project_ids") or []) for w in workspaces if w.get("external"))
        batches = math.ceil(self.batch_items / Q.BATCH_FIELDS)
        minimum = identity + sum(pages) + shared + self.follow_ups + batches
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
            "dependent_rounds": 1
            + (1 if token["kind"] != "account" else 0)
            + max(pages or [0])
            + (1 if shared else 0)
            + (1 if self.batch_items else 0),
            "page_size": self.page_size,
            "batch_size": self.batch_fields,
            "sizes_halved": list(self.shrunk),
            "quota": self.quota,
            "assumptions": list(self.assumptions),
            "rate_limit_remaining": self.client.last_remaining,
            "not_collected": list(self.not_collected),
        }


_GROUP = {
    "backups": "a-volume-instances",
    "schedules": "a-volume-instances",
    "tokens": "b-tokens",
    "values": "c-values",
}
_KIND_TEXT = {
    "backups": "backups",
    "schedules": "backup schedules",
    "tokens": "project tokens",
    "values": "variable values",
}


def whole_page(conn: Any) -> list[dict] | None:
    """The nodes of a connection answered whole in one clean page (a list of edges, each node an
    object with an id, no id twice, no next page); None for anything else, which
    `Puller.page_through` then reads the careful way, recording what is wrong. The common case,
    checked without building a follow-up query or a gap label."""
    if type(conn) is not dict:
        return None
    edges = conn.get("edges")
    info = conn.get("pageInfo")
    if type(edges) is not list or (info and (type(info) is not dict or info.get("hasNextPage"))):
        return None
    try:  # decoded JSON: only an object can be indexed by a string without a TypeError
        nodes = [edge["node"] for edge in edges]
        ids = {node["id"] for node in nodes}  # a list as an id is unhashable: a TypeError too
    except (KeyError, TypeError):
        return None
    if len(ids) != len(nodes) or not all(ids) or not all(type(node) is dict for node in nodes):
        return None
    return nodes


def _child(root: str, name: str, data: dict) -> dict | None:
    """Connection `name` of the object under root field `root` of a follow-up page's data."""
    return (data.get(root) or {}).get(name)


def _describe(chunk: list[BatchItem]) -> str:
    counts: dict[str, int] = {}
    for item in chunk:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return ", ".join(f"{n} {_KIND_TEXT[k]}" for k, n in sorted(counts.items()))


#: Words in an error that say the request was too big or too costly, not that it was wrong.
_SIZE_WORDS = ("complex", "too large", "too big", "too many", "depth", "cost", "limit exceeded", "exceeds", "payload")


def _size_limited(error: str) -> bool:
    """True for an answer that looks like a size or complexity limit (HTTP 413, or 400 saying so)."""
    text = error.lower()
    if "http 413" in text:
        return True
    return "http 400" in text and any(word in text for word in _SIZE_WORDS)


def _error_under(resp: Response, name: str) -> bool:
    """True when an error's path passes through field `name`, or no error says where it is."""
    paths: list[Any] = [e.get("path") for e in resp.errors]
    if not paths or any(not isinstance(p, list) for p in paths):
        return True
    return any(name in p for p in paths)

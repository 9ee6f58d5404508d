"""Simple commands → destructive operations: Railway's CLI, GraphQL sent by HTTP clients and
`railway api`, Terraform, and the cloud CLIs (aws, gcloud, az, kubectl).

A command is judged by what runs, never by what a string mentions: `echo "railway volume
delete"` or `git commit -m "volumeDelete"` runs echo and git, and neither deletes anything.
"""

from __future__ import annotations

import json
import os

from auditor.guard.operations import Findings, Operation
from auditor.guard.shell import DYNAMIC, SimpleCommand, is_dynamic, parse


def looks_like_graphql(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith(("mutation", "query", "{", "subscription", "fragment")) or '"query"' in text


def _graphql():  # type: ignore[no-untyped-def]
    """graphql-core is imported only for commands that carry a GraphQL body (it costs ~0.1 s to load)."""
    from auditor.guard import graphql_ops

    return graphql_ops


#: request bodies larger than this are not read
MAX_BODY_BYTES = 1024 * 1024


def recognise_line(line: str, cwd: str | os.PathLike | None = None) -> Findings:
    """Every destructive operation a shell command line would run."""
    cwd = os.fspath(cwd) if cwd is not None else None
    parsed = parse(line, cwd)
    found = Findings(blind_spots=list(parsed.blind_spots))
    for cmd in parsed.commands:
        found.operations.extend(recognise(cmd, cwd))
    return found


def recognise(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    name = cmd.name
    handler = _HANDLERS.get(name)
    return handler(cmd, cwd) if handler else []


# ------------------------------------------------------------------------------ Railway CLI
_RAILWAY_VALUE_FLAGS = {
    "--volume": "volume",
    "-v": "volume",
    "--project": "project",
    "-p": "project",
    "--environment": "environment",
    "-e": "environment",
    "--service": "service",
    "-s": "service",
    "--bucket": "bucket",
    "-b": "bucket",
    "--query": "query",
    "--variables": "variables",
}
_DELETE_VERBS = frozenset({"delete", "rm", "remove", "del"})


def _railway_args(argv: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    positionals: list[str] = []
    flags: dict[str, str] = {}
    i = 0
    while i < len(argv):
        word = argv[i]
        if word.startswith("--") and "=" in word:
            key, value = word.split("=", 1)
            if key in _RAILWAY_VALUE_FLAGS:
                flags[_RAILWAY_VALUE_FLAGS[key]] = value
        elif word in _RAILWAY_VALUE_FLAGS:
            flags[_RAILWAY_VALUE_FLAGS[word]] = argv[i + 1] if i + 1 < len(argv) else DYNAMIC
            i += 1
        elif not word.startswith("-") or word == "-":
            positionals.append(word)
        i += 1
    return positionals, flags


def _railway(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    words, flags = _railway_args(cmd.argv[1:])
    if cmd.open_ended and words[-1:] != [DYNAMIC]:
        # `xargs railway volume delete --volume`: the value comes from xargs' input
        for key in ("volume", "project", "environment", "service", "bucket"):
            if key in flags or (cmd.argv[-1] in ("--" + key, "-" + key[0])):
                flags[key] = DYNAMIC
    if not words:
        return []
    group, rest = words[0], words[1:]
    verb = rest[0] if rest else None
    args = rest[1:]
    text = cmd.text

    def op(
        operation: str, target: str | None, kinds: set[str] | None, note: str | None = None, scope: str | None = None
    ) -> list[Operation]:
        if target is None and cmd.open_ended:
            target = DYNAMIC
        return [
            Operation(
                "railway",
                operation,
                (target,) if target else (),
                frozenset(kinds) if kinds else None,
                scope=scope,
                note=note,
                text=text,
            )
        ]

    if group in ("volume", "volumes") and verb in _DELETE_VERBS:
        return op(
            "volume delete",
            flags.get("volume") or (args[0] if args else None),
            {"volume"},
            None if (flags.get("volume") or args) else "no --volume: the linked service's volume",
        )
    if group == "delete":
        target = flags.get("project") or (rest[0] if rest else None)
        return op("delete", target, {"project"}, None if target else "no --project: the linked project")
    if group in ("environment", "env", "environments") and verb in _DELETE_VERBS:
        target = args[0] if args else flags.get("environment")
        return op("environment delete", target, {"environment"}, None if target else "no environment named")
    if group in ("service", "services") and verb in _DELETE_VERBS:
        target = flags.get("service") or (args[0] if args else None)
        return op(
            "service delete",
            target,
            {"service", "database"},
            None if target else "no --service: the linked service",
            scope=flags.get("environment"),
        )
    if group in ("bucket", "buckets") and verb in _DELETE_VERBS:
        target = flags.get("bucket") or (args[0] if args else None)
        return op("bucket delete", target, {"bucket"}, None if target else "no bucket named")
    if group == "down":
        target = flags.get("service")
        return op(
            "down",
            target,
            {"service"},
            "removes the service's latest deployment" + ("" if target else " (no --service: the linked service)"),
            scope=flags.get("environment"),
        )
    if group in ("variable", "variables", "vars", "var") and verb in _DELETE_VERBS:
        target = args[0] if args else None
        return op(
            "variable delete",
            target,
            {"credential"},
            None if target else "no variable named",
            scope=flags.get("environment"),
        )
    if group == "api":
        return _railway_api(cmd, rest, flags, cwd)
    return []


def _railway_api(cmd: SimpleCommand, rest: list[str], flags: dict[str, str], cwd: str | None) -> list[Operation]:
    document = flags.get("query") or next((w for w in rest if looks_like_graphql(w) or w.startswith("@")), None)
    if document is None and cmd.stdin is not None:
        document = cmd.stdin
    if document is None:
        return [
            Operation(
                "railway api",
                "GraphQL request",
                (),
                None,
                fixed="ask",
                note="the request body is not on the command line",
                text=cmd.text,
            )
        ]
    if document.startswith("@"):
        body = _read_body(document[1:], cmd, cwd)
        if body is None:
            return [_unreadable("railway api", document[1:], cmd)]
        document = body
    variables_text = flags.get("variables")
    gql = _graphql()
    try:
        if variables_text is not None:
            try:
                variables = json.loads(variables_text, strict=False)
            except ValueError:
                variables = {}
            body = json.dumps({"query": document, "variables": variables})
            return _with_text(gql.body_operations(body, "railway api", True), cmd)
        return _with_text(gql.body_operations(document, "railway api", True), cmd)
    except gql.GraphQLDocumentError as exc:
        return [Operation("railway api", "GraphQL request", (), None, fixed="ask", note=str(exc), text=cmd.text)]


# ------------------------------------------------------------------------------ HTTP clients
_CURL_DATA = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json", "--data-urlencode"})
_CURL_VALUE = frozenset(
    {
        "-H",
        "--header",
        "-X",
        "--request",
        "-o",
        "--output",
        "-u",
        "--user",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "-m",
        "--max-time",
        "-x",
        "--proxy",
        "--connect-timeout",
        "-w",
        "--write-out",
        "-T",
        "--upload-file",
        "--url",
        "-K",
        "--config",
        "--retry",
        "-F",
        "--form",
        "--resolve",
        "--cacert",
        "--cert",
        "--key",
    }
)


def _curl(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    bodies: list[tuple[str, bool]] = []  # (value, is_file_reference)
    urls: list[str] = []
    argv = cmd.argv
    i = 1
    while i < len(argv):
        word = argv[i]
        key, eq, inline = word.partition("=") if word.startswith("--") else (word, "", "")
        if key in _CURL_DATA:
            value = inline if eq else (argv[i + 1] if i + 1 < len(argv) else "")
            i += 0 if eq else 1
            raw = key == "--data-raw"
            bodies.append((value[1:], True) if value.startswith("@") and not raw else (value, False))
        elif word.startswith("-d") and len(word) > 2:
            value = word[2:]
            bodies.append((value[1:], True) if value.startswith("@") else (value, False))
        elif key == "--url":
            urls.append(inline if eq else (argv[i + 1] if i + 1 < len(argv) else ""))
            i += 0 if eq else 1
        elif word in _CURL_VALUE:
            i += 1
        elif not word.startswith("-"):
            urls.append(word)
        i += 1
    return _judge_bodies("curl", cmd, cwd, bodies, urls)


def _wget(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    bodies: list[tuple[str, bool]] = []
    urls: list[str] = []
    argv = cmd.argv
    i = 1
    while i < len(argv):
        word = argv[i]
        key, eq, inline = word.partition("=")
        if key in ("--post-data", "--body-data", "--post-file", "--body-file"):
            value = inline if eq else (argv[i + 1] if i + 1 < len(argv) else "")
            i += 0 if eq else 1
            bodies.append((value, key.endswith("-file")))
        elif word in ("-O", "-o", "--header", "-U", "--method", "-e"):
            i += 1
        elif not word.startswith("-"):
            urls.append(word)
        i += 1
    return _judge_bodies("wget", cmd, cwd, bodies, urls)


def _httpie(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    """httpie / xh: `http POST URL query='mutation …' variables:='{…}'`, `--raw BODY`, `< file`."""
    argv = cmd.argv
    tool = cmd.name
    bodies: list[tuple[str, bool]] = []
    urls: list[str] = []
    fields: dict[str, object] = {}
    positionals: list[str] = []
    i = 1
    while i < len(argv):
        word = argv[i]
        if word == "--raw" and i + 1 < len(argv):
            bodies.append((argv[i + 1], False))
            i += 2
            continue
        if word.startswith("--raw="):
            bodies.append((word[6:], False))
        elif word in (
            "-a",
            "--auth",
            "-A",
            "--auth-type",
            "--session",
            "-o",
            "--output",
            "--verify",
            "--cert",
            "--cert-key",
            "--timeout",
            "--proxy",
        ):
            i += 1
        elif not word.startswith("-"):
            positionals.append(word)
        i += 1
    if positionals and positionals[0].isupper() and positionals[0].isalpha():
        positionals = positionals[1:]
    if positionals:
        urls.append(positionals[0])
    for item in positionals[1:]:
        for sep in (":=@", "=@", ":=", "=="):
            if sep in item:
                key, value = item.split(sep, 1)
                if sep in (":=@", "=@"):
                    content = _read_body(value, cmd, cwd)
                    if content is None:
                        return [_unreadable(tool, value, cmd)]
                    fields[key] = _json_or_text(content) if sep == ":=@" else content
                elif sep == ":=":
                    fields[key] = _json_or_text(value)
                break
        else:
            if "=" in item and ":" not in item.split("=", 1)[0]:
                key, value = item.split("=", 1)
                fields[key] = value
    if fields:
        bodies.append((json.dumps(fields), False))
    return _judge_bodies(tool, cmd, cwd, bodies, urls)


def _json_or_text(value: str) -> object:
    try:
        return json.loads(value, strict=False)
    except ValueError:
        return value


def _judge_bodies(
    tool: str, cmd: SimpleCommand, cwd: str | None, bodies: list[tuple[str, bool]], urls: list[str]
) -> list[Operation]:
    railway = any("railway" in u or is_dynamic(u) for u in urls) or not urls
    out: list[Operation] = []
    for value, is_file in bodies:
        if is_file:
            content = cmd.stdin if value == "-" else _read_body(value, cmd, cwd)
            if content is None:
                if railway:
                    out.append(_unreadable(tool, value, cmd))
                continue
            value = content
        if not looks_like_graphql(value) and "mutation" not in value:
            continue
        gql = _graphql()
        try:
            out.extend(gql.body_operations(value, tool, railway))
        except gql.GraphQLDocumentError as exc:
            if railway or "Delete" in value:
                out.append(Operation(tool, "GraphQL request", (), None, fixed="ask", note=str(exc), text=cmd.text))
    return _with_text(out, cmd)


def _read_body(name: str, cmd: SimpleCommand, cwd: str | None) -> str | None:
    if name == "-":
        return cmd.stdin
    if is_dynamic(name):
        return None
    path = os.path.expanduser(name)
    if not os.path.isabs(path) and cwd is not None:
        path = os.path.join(cwd, path)
    try:
        if os.stat(path).st_size > MAX_BODY_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _unreadable(tool: str, name: str, cmd: SimpleCommand) -> Operation:
    shown = name.replace(DYNAMIC, "$…")
    return Operation(
        tool,
        "GraphQL request",
        (),
        None,
        fixed="ask",
        note=f"the request body {shown!r} cannot be read, so what it does is unknown",
        text=cmd.text,
    )


def _with_text(ops: list[Operation], cmd: SimpleCommand) -> list[Operation]:
    return [
        o
        if o.text
        else Operation(o.tool, o.operation, o.targets, o.kinds, o.scope, o.note, o.fixed, o.whole_state, cmd.text)
        for o in ops
    ]


# ------------------------------------------------------------------------------ Terraform
def _plan_json(plan: str, cwd: str | None, argv: list[str] | tuple[str, ...]) -> str | None:
    """The `terraform show -json` document of a saved plan, when it lies beside it as PLAN.json
    or STEM.json (`terraform show -json tfplan > tfplan.json`), in the directory the command
    runs in (`-chdir=DIR` included). None when there is none: the apply is then asked about."""
    chdir = next((a.split("=", 1)[1] for a in argv if a.startswith("-chdir=")), None)
    base = os.path.join(cwd or os.getcwd(), chdir) if chdir else (cwd or os.getcwd())
    path = os.path.join(base, plan)
    stem, _ = os.path.splitext(path)
    for candidate in dict.fromkeys((path + ".json", stem + ".json")):
        if candidate != path and os.path.isfile(candidate):
            return candidate
    return None


def _terraform(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    argv = [a for a in cmd.argv[1:] if not a.startswith("-chdir")]
    sub = next((a for a in argv if not a.startswith("-")), None)
    if sub is None:
        return []
    rest = argv[argv.index(sub) + 1 :]
    targets = tuple(a.split("=", 1)[1] for a in rest if a.startswith(("-target=", "--target=")))
    tool = cmd.name
    if sub == "destroy" or (sub == "apply" and any(a in ("-destroy", "--destroy") for a in rest)):
        return [
            Operation(
                tool,
                "destroy",
                targets,
                None,
                whole_state=not targets,
                text=cmd.text,
                note=None if targets else "destroys every resource in the configuration's state",
            )
        ]
    if sub == "apply":
        plan = next((a for a in rest if not a.startswith("-")), None)
        found = _plan_json(plan, cwd, argv=cmd.argv) if plan else None
        if found:
            return [
                Operation(
                    tool,
                    "apply",
                    (),
                    None,
                    note=f"applies plan {plan}, judged from {found}",
                    text=cmd.text,
                    plan_json=found,
                )
            ]
        note = (
            f"applies plan {plan}: judge its JSON with `blastscope gate` before applying"
            if plan
            else "an apply can replace or destroy resources; the guard cannot see the plan"
        )
        return [Operation(tool, "apply", (), None, fixed="ask", note=note, text=cmd.text)]
    if sub == "state" and rest[:1] and rest[0] in ("rm", "remove"):
        addrs = tuple(a for a in rest[1:] if not a.startswith("-"))
        return [
            Operation(
                tool,
                "state rm",
                addrs,
                None,
                fixed="ask",
                text=cmd.text,
                note="forgets resources: the next apply may orphan or recreate them",
            )
        ]
    return []


# ------------------------------------------------------------------------------ cloud CLIs
_AWS_TARGET_SUFFIXES = ("-identifier", "-id", "-ids", "-name", "-arn", "--bucket", "--table-name")
_AWS_NOT_DESTRUCTIVE = ("delete-tags", "remove-tags", "delete-alarms", "remove-tags-from-resource")


def _aws(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    words = [a for a in cmd.argv[1:]]
    positionals = [
        w
        for i, w in enumerate(words)
        if not w.startswith("-") and not (i and words[i - 1].startswith("--") and "=" not in words[i - 1])
    ]
    if len(positionals) < 2:
        return []
    service, action = positionals[0], positionals[1]
    if service == "s3" and action in ("rb", "rm"):
        url = next((p for p in positionals[2:] if p.startswith("s3://")), None)
        if action == "rm" and "--recursive" not in words:
            return []
        bucket = url[5:].split("/", 1)[0] if url else None
        return [Operation("aws", f"s3 {action}", (bucket,) if bucket else (), frozenset({"bucket"}), text=cmd.text)]
    if not action.startswith(("delete-", "terminate-", "remove-")) or action in _AWS_NOT_DESTRUCTIVE:
        return []
    targets: list[str] = []
    for i, word in enumerate(words):
        key, eq, inline = word.partition("=")
        if key.startswith("--") and key.endswith(_AWS_TARGET_SUFFIXES):
            value = inline if eq else (words[i + 1] if i + 1 < len(words) else DYNAMIC)
            if key == "--final-db-snapshot-identifier":
                continue
            targets.append(value)
            break
    return [Operation("aws", f"{service} {action}", tuple(targets), None, text=cmd.text)]


def _gcloud(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    words = list(cmd.argv[1:])
    positionals = [w for w in words if not w.startswith("-")]
    if "storage" in positionals[:1] and positionals[1:2] == ["rm"] and any(w in ("-r", "--recursive") for w in words):
        url = next((p for p in positionals if p.startswith("gs://")), None)
        return [
            Operation(
                "gcloud",
                "storage rm -r",
                (url[5:].split("/", 1)[0],) if url else (),
                frozenset({"bucket"}),
                text=cmd.text,
            )
        ]
    if "delete" not in positionals:
        return []
    at = positionals.index("delete")
    targets = tuple(p[5:].rstrip("/") if p.startswith("gs://") else p for p in positionals[at + 1 :])
    return [Operation("gcloud", " ".join(positionals[: at + 1]), targets, None, text=cmd.text)]


def _az(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    words = list(cmd.argv[1:])
    positionals = []
    for i, w in enumerate(words):
        if not w.startswith("-") and not (i and words[i - 1].startswith("-")):
            positionals.append(w)
    if "delete" not in positionals:
        return []
    target = None
    for i, word in enumerate(words):
        if word in ("--name", "-n") or (positionals[0] == "group" and word in ("--resource-group", "-g")):
            target = words[i + 1] if i + 1 < len(words) else DYNAMIC
            break
    return [
        Operation(
            "az",
            " ".join(positionals[: positionals.index("delete") + 1]),
            (target,) if target else (),
            None,
            text=cmd.text,
        )
    ]


_KUBE_KINDS = {
    "ns": "namespace",
    "namespace": "namespace",
    "namespaces": "namespace",
    "pvc": "persistentvolumeclaim",
    "persistentvolumeclaim": "persistentvolumeclaim",
    "persistentvolumeclaims": "persistentvolumeclaim",
    "pv": "persistentvolume",
    "persistentvolume": "persistentvolume",
    "persistentvolumes": "persistentvolume",
}


def _kubectl(cmd: SimpleCommand, cwd: str | None) -> list[Operation]:
    words = list(cmd.argv[1:])
    if "delete" not in words:
        return []
    rest = words[words.index("delete") + 1 :]
    if any(w in ("-f", "--filename", "-k", "--kustomize") or w.startswith(("--filename=", "-f=")) for w in rest):
        return [
            Operation(
                "kubectl",
                "delete -f",
                (),
                None,
                fixed="ask",
                text=cmd.text,
                note="deletes whatever the manifest lists; the guard does not read manifests",
            )
        ]
    positionals = [
        w
        for i, w in enumerate(rest)
        if not w.startswith("-") and not (i and rest[i - 1] in ("-n", "--namespace", "-l", "--selector", "--context"))
    ]
    ops: list[Operation] = []
    if not positionals:
        return []
    kinds_word, names = positionals[0], positionals[1:]
    if "/" in kinds_word:
        for item in positionals:
            kind, _, name = item.partition("/")
            if kind.lower() in _KUBE_KINDS:
                ops.append(Operation("kubectl", f"delete {_KUBE_KINDS[kind.lower()]}", (name,), None, text=cmd.text))
        return ops
    for kind in kinds_word.split(","):
        if kind.lower() in _KUBE_KINDS:
            ops.append(
                Operation(
                    "kubectl",
                    f"delete {_KUBE_KINDS[kind.lower()]}",
                    tuple(names),
                    None,
                    text=cmd.text,
                    note=None if names else "deletes by selector or --all",
                )
            )
    return ops


_HANDLERS = {
    "railway": _railway,
    "curl": _curl,
    "wget": _wget,
    "http": _httpie,
    "https": _httpie,
    "xh": _httpie,
    "xhs": _httpie,
    "terraform": _terraform,
    "tofu": _terraform,
    "aws": _aws,
    "gcloud": _gcloud,
    "az": _az,
    "kubectl": _kubectl,
    "oc": _kubectl,
}

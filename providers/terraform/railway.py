"""Railway's Terraform provider (terraform-community-providers/railway) → model, mapped like
the live Railway provider: a project-level volume per service `volume` block, databases
recognised by image, environments from `railway_environment` and the project's default one.
Backups are not managed by this provider, so a plan alone cannot show them (the audit then
reports `backup-missing`; scan the live account too).
"""

from __future__ import annotations

import re

from providers.railway.tokens import TOKEN_VARIABLES
from providers.terraform.aws import Handler
from providers.terraform.builder import Builder, node_id
from providers.terraform.document import TfResource

DATABASE_IMAGE = re.compile(r"(postgres|postgis|timescale|mysql|mariadb|mongo|redis)", re.IGNORECASE)


def project(res: TfResource, b: Builder) -> None:
    v = res.values
    workspace = v.get("workspace_id") or v.get("team_id") or "unknown"
    pid = b.add(
        {
            "id": node_id(res),
            "kind": "project",
            "name": v.get("name") or res.name,
            "provider": "terraform",
            "parent": b.account("railway", str(workspace)),
            "address": res.address,
            "tf_type": res.type,
        }
    )
    b.remember("rw-project", v.get("id"), pid)
    b.remember("rw-project-address", res.address, pid)
    default = v.get("default_environment")
    if isinstance(default, dict) and default.get("name"):
        env = b.add(
            {
                "id": f"{pid}#env:{default['name']}",
                "kind": "environment",
                "name": default["name"],
                "provider": "terraform",
                "parent": pid,
            }
        )
        b.remember("rw-env", default.get("id"), env)
        b.remember("rw-default-env", pid, env)


def _project_of(res: TfResource, b: Builder) -> str | None:
    found = b.find("rw-project", res.values.get("project_id"))
    if found is None and len([n for n in b.nodes.values() if n.get("tf_type") == "railway_project"]) == 1:
        found = next(n["id"] for n in b.nodes.values() if n.get("tf_type") == "railway_project")
    return found


def environment(res: TfResource, b: Builder) -> None:
    proj = _project_of(res, b)
    env = b.add(
        {
            "id": node_id(res),
            "kind": "environment",
            "name": res.values.get("name") or res.name,
            "provider": "terraform",
            "address": res.address,
            **({"parent": proj} if proj else {}),
        }
    )
    b.remember("rw-env", res.values.get("id"), env)


def service(res: TfResource, b: Builder) -> None:
    v = res.values
    proj = _project_of(res, b)
    env = b.find("rw-default-env", proj) if proj else None
    sid = b.add(
        {
            "id": node_id(res),
            "kind": "service",
            "name": v.get("name") or res.name,
            "provider": "terraform",
            "address": res.address,
            "image": v.get("source_image"),
            **({"parent": env or proj} if (env or proj) else {}),
        }
    )
    b.remember("rw-service", v.get("id"), sid)
    volume = v.get("volume")
    volume = volume[0] if isinstance(volume, list) and volume else volume
    if not isinstance(volume, dict):
        return
    parents = [p for p in (proj, env) if p]
    vid = b.add(
        {
            "id": f"{sid}#volume",
            "kind": "volume",
            "name": volume.get("name") or f"{v.get('name')} volume",
            "provider": "terraform",
            "mount_path": volume.get("mount_path"),
            "address": res.address,
            **({"parent": parents if len(parents) > 1 else parents[0]} if parents else {}),
        }
    )
    image = v.get("source_image") or ""
    db_image = DATABASE_IMAGE.search(str(image))
    if db_image or "postgresql" in str(volume.get("mount_path") or ""):
        db = b.add(
            {
                "id": f"{sid}#database",
                "kind": "database",
                "name": v.get("name") or res.name,
                "provider": "terraform",
                "engine": db_image.group(1).lower() if db_image else "postgres",
                "stored_on": vid,
                "address": res.address,
                **({"in_environment": env} if env else {}),
            }
        )
        b.relate(sid, "attached_to", db)
    else:
        b.relate(sid, "attached_to", vid)


def variables(res: TfResource, b: Builder) -> None:
    """Variable names only (values are secrets): Railway tokens kept in variables become
    credentials exposed where the variable lives."""
    v = res.values
    names: list[str] = []
    if isinstance(v.get("name"), str):
        names.append(v["name"])
    if isinstance(v.get("variables"), dict):
        names.extend(k for k in v["variables"] if isinstance(k, str))
    where = b.find("rw-service", v.get("service_id")) or b.find("rw-env", v.get("environment_id"))
    for name in names:
        kind = TOKEN_VARIABLES.get(name)
        if kind is None:
            continue
        b.add(
            {
                "id": f"{node_id(res)}#{name}",
                "kind": "credential",
                "name": name,
                "provider": "terraform",
                "token_kind": kind,
                "inferred": True,
                "address": res.address,
                **({"exposed_to": where} if where else {}),
            }
        )


PRIMARY: dict[str, Handler] = {"railway_project": project}
RELATIONAL: dict[str, Handler] = {
    "railway_environment": environment,
    "railway_service": service,
    "railway_variable": variables,
    "railway_variable_collection": variables,
    "railway_shared_variable": variables,
}
ABSORBED = frozenset(
    {"railway_service_domain", "railway_custom_domain", "railway_tcp_proxy", "railway_deployment_trigger"}
)

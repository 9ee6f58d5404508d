"""Inventories written the way people and other tools write YAML, not by PyYAML's dumper: block
and flow collections mixed, comments, anchors and aliases, plain, single- and double-quoted
scalars, sequences indented or not, explicit document markers. The YAML benchmark reads these
so the ratio to CSafeLoader is not tuned to one emitter's output.

    python bench/yaml_styles.py --resources 100000 --seed 8 -o bench/out/styled-100k.yaml
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./()-]*(?: [A-Za-z0-9_./()-]+)*\Z")
_KEYWORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def scalar(value: Any, rng: random.Random) -> str:
    if value is True or value is False:
        return rng.choice(["true", "True", "TRUE"] if value else ["false", "False", "FALSE"])
    if value is None:
        return rng.choice(["null", "~"])
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _KEYWORDS and rng.random() < 0.7:
        return text
    if rng.random() < 0.5 and "'" not in text:
        return f"'{text}'"
    return json.dumps(text)  # a JSON string is a valid double-quoted YAML scalar


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.lines: list[str] = []
        self.anchors: dict[str, str] = {}  # scalar text -> anchor name

    def value(self, value: Any) -> str:
        """An inline (flow) rendering of a scalar or a list of scalars, sometimes via an anchor."""
        if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(scalar(v, self.rng) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {self.value(v)}" for k, v in value.items()) + "}"
        text = scalar(value, self.rng)
        if isinstance(value, str) and len(value) > 6 and self.rng.random() < 0.2:
            if value in self.anchors:
                return f"*{self.anchors[value]}"
            name = f"a{len(self.anchors)}"
            self.anchors[value] = name
            return f"&{name} {text}"
        return text

    def resource(self, res: dict[str, Any]) -> None:
        rng = self.rng
        style = rng.random()
        if style < 0.3 and not any(isinstance(v, list) and v and isinstance(v[0], dict) for v in res.values()):
            self.lines.append("- " + self.value(res) + (" # flow" if rng.random() < 0.1 else ""))
            return
        indent = "  " if rng.random() < 0.5 else ""
        first = True
        for key, value in res.items():
            lead = "- " if first else "  "
            first = False
            if isinstance(value, list) and value and isinstance(value[0], dict):
                self.lines.append(f"{lead}{key}:")
                for item in value:
                    inner = True
                    for k, v in item.items():
                        self.lines.append(f"  {indent}{'- ' if inner else '  '}{k}: {self.value(v)}")
                        inner = False
            elif isinstance(value, list) and rng.random() < 0.5:
                self.lines.append(f"{lead}{key}:")
                for item in value:
                    self.lines.append(f"  {indent}- {scalar(item, rng)}")
            else:
                comment = "  # set by hand" if rng.random() < 0.03 else ""
                self.lines.append(f"{lead}{key}: {self.value(value)}{comment}")

    def document(self, resources: list[dict[str, Any]]) -> str:
        self.lines += ["%YAML 1.1", "---", "# inventory exported for the benchmark", "version: 1", "resources:"]
        for res in resources:
            if res.get("kind") == "project":
                self.lines.append(f"# ---- {res['name']}")
            self.resource(res)
        self.lines.append("...")
        return "\n".join(self.lines) + "\n"


def write_styled(size: int, seed: int, path: Path) -> None:
    rng = random.Random(seed)
    resources = generate(size, seed)
    text = Writer(rng).document(resources)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, required=True)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--check", action="store_true", help="verify the file loads to the generated resources")
    args = parser.parse_args()
    write_styled(args.resources, args.seed, args.output)
    if args.check:
        import yaml

        loaded = yaml.load(args.output.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        assert loaded == {"version": 1, "resources": generate(args.resources, args.seed)}, "styled YAML differs"
    print(f"{args.output}: {args.output.stat().st_size / 1e6:.1f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()

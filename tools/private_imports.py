"""No module uses another module's private names (`_name`): `from kinga.x import _name`, or `module._name` on a
module imported from kinga. What one module keeps private it may change without looking elsewhere; a name another
module needs is public (no underscore) and part of its module's surface.

Today's exceptions are listed in tools/private_imports_allowlist.txt; that list only shrinks: a use not in it fails,
and so does an entry no longer used (delete it). Usage: python tools/private_imports.py [--list]
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = ROOT / "tools" / "private_imports_allowlist.txt"
PACKAGES = ("kinga", "bench", "tools")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _resolve(module: str, importer: str, level: int, is_package: bool) -> str:
    if not level:
        return module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, module] if module else base)


def _is_kinga_module(name: str) -> bool:
    if not name.startswith("kinga"):
        return False
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists() or path.is_dir()


def uses(path: Path) -> set[str]:
    """'importer: module._name' for each private name of another module this file uses."""
    importer = _module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    modules: dict[str, str] = {}  # local name -> kinga module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(node.module or "", importer, node.level, is_package)
            if not source.startswith("kinga"):
                continue
            for alias in node.names:
                if _is_kinga_module(f"{source}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
                elif _is_private(alias.name) and source != importer:
                    found.add(f"{importer}: {source}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("kinga") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and modules[node.value.id] != importer
        ):
            found.add(f"{importer}: {modules[node.value.id]}.{node.attr}")
    return found


def all_uses() -> set[str]:
    found: set[str] = set()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found |= uses(path)
    return found


def allowed() -> set[str]:
    lines = ALLOWLIST.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def problems() -> list[str]:
    found, allow = all_uses(), allowed()
    return [f"private name used from another module: {use}" for use in sorted(found - allow)] + [
        f"no longer used, delete it from {ALLOWLIST.name}: {entry}" for entry in sorted(allow - found)
    ]


def main() -> int:
    if "--list" in sys.argv:
        print("\n".join(sorted(all_uses())))
        return 0
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    print(f"private imports: {len(found)} problem(s), {len(allowed())} allowed exception(s) left")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

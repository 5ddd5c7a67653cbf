"""The house has floors: an app may import only apps on lower floors (docs/architecture.md).

Read from the code's own imports (every ``import gridcare.x`` / ``from gridcare.x import``,
at module level or inside a function), tests excepted.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# floor -> apps on it. Apps on one floor do not import each other.
FLOORS = {
    0: {"core"},
    1: {"org"},
    2: {"grid"},
    3: {"customers"},
    4: {"workorders"},
    5: {"escalation", "workforce", "rectification", "hall"},
    6: {"outages", "applications", "surveys"},
    7: {
        "care",
        "keyaccounts",
        "proactive",
        "dataquality",
        "knowledge",
        "inspections",
        "evaluation",
        "partners",
        "webhooks",
        "supervision",
    },
    8: {"analytics", "portal"},
    9: {"demo"},
    10: {"web"},
}
FLOOR_OF = {app: floor for floor, apps in FLOORS.items() for app in apps}
TOP_LEVEL_MODULES = {"cli", "conftest", "tests"}  # the command-line entry point; test packages


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "gridcare" and len(parts) > 1:
                found.add(parts[1])
    return found


def _app_files():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        if (
            "tests" in rel
            or "migrations" in rel
            or rel[0] in {f"{m}.py" for m in TOP_LEVEL_MODULES} | {"tests"}
        ):
            continue
        if len(rel) == 1:
            continue
        yield rel[0], path


def test_every_app_is_on_a_floor():
    apps = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - {
        "tests",
        "locale",
    }
    assert apps <= set(FLOOR_OF), f"put {sorted(apps - set(FLOOR_OF))} on a floor (docs/architecture.md)"


def test_imports_only_run_downstairs():
    wrong = []
    for app, path in _app_files():
        for target in _imports(path):
            if target == app or target in TOP_LEVEL_MODULES:
                continue
            assert target in FLOOR_OF, f"{path}: imports unknown gridcare.{target}"
            if FLOOR_OF[target] >= FLOOR_OF[app]:
                wrong.append(
                    f"{path.relative_to(ROOT.parent)}: {app} (floor {FLOOR_OF[app]}) imports {target} (floor {FLOOR_OF[target]})"
                )
    assert not wrong, "imports that run up or across:\n" + "\n".join(sorted(wrong))


def test_the_check_catches_an_upward_import(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from gridcare.analytics.models import PublishedReport\n", encoding="utf-8")
    assert _imports(bad) == {"analytics"}

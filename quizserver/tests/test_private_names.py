"""Private means private (docs STYLE.md): no module uses another module's leading-underscore names.

Read from source with ``ast``, like the import graph: ``from x import _name``, ``import x._mod``,
``x._name`` where ``x`` was imported, and a dotted string naming a private attribute of one of our
modules (``monkeypatch.setattr("quizzes.variants._name", ...)``). The benchmarks, the tests and the
apps are each held to it. Names a module defines for itself are its own business.
"""

import ast
from pathlib import Path

import pytest

from quizserver.import_graph import imported_names, project_modules

ROOT = Path(__file__).resolve().parents[2]
APPS = ("quizserver", "courses", "quizzes", "progress", "api", "authoring", "compute")
OURS = (*APPS, "bench")
# Django documents ``Model._meta`` (the Options API) as public despite its underscore.
DOCUMENTED = frozenset({"_meta"})


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in DOCUMENTED


def private_uses(module: str, path: Path) -> list[str]:
    """``module``'s uses of other modules' private names, as ``line: what`` (imports without a line)."""
    found = [f"import {name}" for name in sorted(imported_names(module, path))
             if any(is_private(part) for part in name.split("."))]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    imported = {
        alias.asname or alias.name.split(".")[0]
        for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in imported:
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts = node.value.split(".")
            if len(parts) > 1 and parts[0] in OURS and all(p.isidentifier() for p in parts) \
                    and any(is_private(p) for p in parts[1:]):
                found.append(f"{node.lineno}: {node.value!r}")
    return found


def offenders(modules: dict[str, Path]) -> dict[str, list[str]]:
    found = {module: private_uses(module, path) for module, path in modules.items()}
    return {module: uses for module, uses in found.items() if uses}


# --- the scan itself, on small sources -----------------------------------------------------------


def uses_in(tmp_path, source: str, module: str = "app.user") -> list[str]:
    path = tmp_path / "user.py"
    path.write_text(source, encoding="utf-8")
    return private_uses(module, path)


@pytest.mark.parametrize(
    "source, expected",
    [
        ("from quizzes.variants import _new_variants\n", ["import quizzes.variants._new_variants"]),
        ("from .rendering import _markdown as md\n", ["import app.rendering._markdown"]),
        ("import quizzes._hidden.mod\n", ["import quizzes._hidden.mod"]),
        ("from quizzes import rendering\nrendering._markdown()\n", ["2: rendering._markdown"]),
        ("import quizzes.rendering\nx = quizzes.rendering._local.md\n", ["2: quizzes.rendering._local"]),
        ("f('quizzes.variants._new_variants')\n", ["1: 'quizzes.variants._new_variants'"]),
    ],
)
def test_private_uses_of_other_modules_are_found(tmp_path, source, expected):
    assert uses_in(tmp_path, source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "def _mine():\n    pass\n_mine()\n",  # the module's own private names
        "class A:\n    def f(self):\n        return self._cache\n",  # an object's own attributes
        "from quizzes.models import Variant\nfields = Variant._meta.concrete_fields\n",  # documented
        "from __future__ import annotations\nimport os\nos.__name__\n",  # dunders are not private
        "x = 'see _private.md'\n",  # a string that is not a dotted name of ours
    ],
)
def test_own_names_dunders_and_documented_names_are_not_private_uses(tmp_path, source):
    assert uses_in(tmp_path, source) == []


# --- the project ---------------------------------------------------------------------------------


def test_the_benchmarks_use_only_public_names():
    modules = project_modules(ROOT, ["bench"])
    assert "bench.precompute" in modules and "bench.floors.mlp" in modules
    assert offenders(modules) == {}


def test_the_benchmarks_import_no_test_module_but_the_page_helper():
    """bench/precompute.py runs ``quizzes/tests/page_without_torch.py``, a helper module made for it."""
    modules = project_modules(ROOT, ["bench"])
    test_imports = {
        module: sorted(name for name in imported_names(module, path) if ".tests" in name)
        for module, path in modules.items()
    }
    allowed = {"quizzes.tests.page_without_torch"}
    wrong = {module: [n for n in names if not any(n == a or n.startswith(a + ".") for a in allowed)]
             for module, names in test_imports.items()}
    assert {module: names for module, names in wrong.items() if names} == {}


def test_the_tests_use_only_public_names():
    modules = {m: p for m, p in project_modules(ROOT, APPS).items() if ".tests" in m}
    assert "quizzes.tests.test_variants_insert" in modules
    assert offenders(modules) == {}


def test_the_apps_use_only_public_names():
    modules = {m: p for m, p in project_modules(ROOT, APPS).items() if ".tests" not in m}
    assert "quizzes.variants" in modules
    assert offenders(modules) == {}

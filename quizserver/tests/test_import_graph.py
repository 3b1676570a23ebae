"""Import graph: the functions on small synthetic trees, then the project itself has no import cycles."""

from pathlib import Path

from quizserver.import_graph import (
    cycle_path,
    cycles,
    import_edges,
    imported_names,
    project_modules,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("quizserver", "courses", "quizzes", "compute", "authoring", "progress", "api", "live", "bench")


def write_tree(root: Path, files: dict[str, str]) -> None:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


def edges_of(root: Path, files: dict[str, str], packages=("app",)) -> dict[str, set[str]]:
    write_tree(root, files)
    return import_edges(project_modules(root, packages))


def test_project_modules_names_packages_by_their_init_and_skips_migrations(tmp_path):
    write_tree(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "",
        "app/kinds/__init__.py": "",
        "app/kinds/single.py": "",
        "app/migrations/0001_initial.py": "",
        "other/__init__.py": "",
    })
    modules = project_modules(tmp_path, ["app", "absent"])
    assert modules == {
        "app": tmp_path / "app/__init__.py",
        "app.kinds": tmp_path / "app/kinds/__init__.py",
        "app.kinds.single": tmp_path / "app/kinds/single.py",
        "app.models": tmp_path / "app/models.py",
    }


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    edges = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/services.py": "from app import tasks\n",
        "app/tasks.py": "def run():\n    from app.services import grade\n    return grade\n",
    })
    assert edges["app.tasks"] == {"app.services"}
    assert cycles(edges) == [["app.services", "app.tasks"]]


def test_type_checking_imports_count(tmp_path):
    edges = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.b import B\n",
        "app/b.py": "",
    })
    assert edges["app.a"] == {"app.b"}


def test_from_package_import_submodule_resolves_to_the_submodule(tmp_path):
    edges = edges_of(tmp_path, {
        "app/__init__.py": "VERSION = 1\n",
        "app/kinds/__init__.py": "",
        "app/kinds/single.py": "",
        "app/views.py": "from app.kinds import single\nfrom app import VERSION\n",
        "app/urls.py": "import app.kinds.single.grade\n",
    })
    assert edges["app.views"] == {"app.kinds.single", "app"}
    assert edges["app.urls"] == {"app.kinds.single"}


def test_relative_imports_resolve_against_the_modules_package(tmp_path):
    edges = edges_of(tmp_path, {
        "app/__init__.py": "from .kinds import single\n",
        "app/models.py": "",
        "app/kinds/__init__.py": "from . import single\n",
        "app/kinds/single.py": "from ..models import Question\nfrom . import registry\n",
        "app/kinds/registry.py": "from .. import models\n",
    })
    assert edges["app"] == {"app.kinds.single"}
    assert edges["app.kinds"] == {"app.kinds.single"}
    assert edges["app.kinds.single"] == {"app.models", "app.kinds.registry"}
    assert edges["app.kinds.registry"] == {"app.models"}


def test_third_party_imports_and_self_imports_give_no_edge(tmp_path):
    edges = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/models.py": "import numpy\nfrom django.db import models\nimport app.models\nimport application\n",
    })
    assert edges == {"app": set(), "app.models": set()}
    assert imported_names("app.models", tmp_path / "app/models.py") == {
        "numpy", "django.db.models", "app.models", "application",
    }


def test_no_implicit_edge_to_parent_packages(tmp_path):
    edges = edges_of(tmp_path, {
        "app/__init__.py": "from app.kinds import single\n",
        "app/kinds/__init__.py": "",
        "app/kinds/single.py": "",
        "app/views.py": "import app.kinds.single\n",
    })
    assert edges["app.views"] == {"app.kinds.single"}
    assert edges["app.kinds.single"] == set()
    assert cycles(edges) == []


def test_a_three_cycle_path_is_given_in_import_order(tmp_path):
    edges = edges_of(tmp_path, {
        "app/__init__.py": "",
        "app/c.py": "from app import a\n",
        "app/a.py": "from app import b\n",
        "app/b.py": "def f():\n    import app.c\n",
        "app/d.py": "import app.a\n",
    })
    assert cycles(edges) == [["app.a", "app.b", "app.c"]]
    assert cycle_path(edges, ["app.a", "app.b", "app.c"]) == ["app.a", "app.b", "app.c", "app.a"]


def test_cycles_lists_each_component_sorted_and_cycle_path_takes_the_shortest_way_round():
    edges = {"z": {"y"}, "y": {"z"}, "a": {"b", "c"}, "b": {"c"}, "c": {"a"}, "solo": {"solo"}}
    assert cycles(edges) == [["a", "b", "c"], ["y", "z"]]
    assert cycle_path(edges, ["a", "b", "c"]) == ["a", "c", "a"]


def test_the_project_has_no_import_cycles():
    packages = [package for package in PACKAGES if (ROOT / package).is_dir()]
    modules = project_modules(ROOT, packages)
    assert "quizzes.submissions" in modules  # the scan found the project, so an empty result means something
    edges = import_edges(modules)
    found = cycles(edges)
    report = "\n".join(
        f"{' -> '.join(cycle_path(edges, component))}\n"
        f"    all imports inside {{{', '.join(component)}}}: "
        + ", ".join(f"{a} -> {b}" for a in component for b in sorted(edges[a] & set(component)))
        for component in found
    )
    assert found == [], f"import cycles (one path each; every import listed may be part of one):\n{report}"


def test_the_compute_core_imports_no_django():
    allowed = ("compute.management", "compute.apps", "compute.tests")
    modules = project_modules(ROOT, ["compute"])
    assert "compute.contract" in modules
    offenders = {
        module: sorted(name for name in imported_names(module, path) if name.split(".")[0] == "django")
        for module, path in modules.items()
        if not any(module == prefix or module.startswith(prefix + ".") for prefix in allowed)
    }
    assert {module: names for module, names in offenders.items() if names} == {}


# Which app may import which (tests aside): reads flow one way, from the pages down to the engine.
MAY_NOT_IMPORT = {
    "compute": {"courses", "quizzes", "progress", "api", "authoring"},
    "courses": {"quizzes", "progress", "api", "authoring"},
    "quizzes": {"progress", "api", "authoring"},
    "progress": {"api", "authoring"},
    "api": {"authoring"},
}


def test_apps_import_one_way():
    packages = [package for package in PACKAGES if (ROOT / package).is_dir()]
    edges = import_edges(project_modules(ROOT, packages))
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in edges.items()
        for target in targets
        if ".tests" not in module and target.split(".")[0] in MAY_NOT_IMPORT.get(module.split(".")[0], set())
    )
    assert wrong == []

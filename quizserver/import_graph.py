"""The project's import graph, read from source with ``ast``: which of our modules import which.

Pure Python, no Django, nothing imported or executed: a module is only parsed. It backs the test that
our modules have no import cycles (``quizserver/tests/test_import_graph.py``).

What counts as an edge A -> B: an ``import`` or ``from ... import`` statement anywhere in A's file that
names project module B. Anywhere means module level, inside functions and methods (lazy imports), inside
``try`` and inside ``if TYPE_CHECKING:``. TYPE_CHECKING imports count: a reader follows them like any
other, and a cycle held together by lazy or type-only imports is still a cycle in the design.
Dynamic imports (``importlib.import_module("...")``, strings in settings) are not seen.

What does not count: the implicit import of parent packages. ``import a.b.c`` runs ``a/__init__.py`` and
``a/b/__init__.py``, but that is Python's machinery, not a dependency the importing module states, so
no edge to ``a`` or ``a.b`` is added for it.
"""

import ast
from collections import deque
from collections.abc import Container, Iterable, Iterator, Mapping
from pathlib import Path

SKIPPED_DIRS = frozenset({"migrations", ".venv"})


def project_modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Map dotted module name -> file for every ``.py`` file under ``root/<package>`` for each package.

    A package's ``__init__.py`` is named for the package (``quizzes/kinds/__init__.py`` -> ``quizzes.kinds``).
    Folders named ``migrations`` or ``.venv`` are skipped with everything below them.
    A package that does not exist under ``root`` contributes nothing.
    """
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root)
            if SKIPPED_DIRS.intersection(relative.parts[:-1]):
                continue
            parts = relative.with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_names(module: str, path: Path) -> set[str]:
    """Every absolute dotted name that an import statement anywhere in ``path`` refers to, ours or not.

    ``import a.b`` gives ``a.b``; ``from a.b import c, d`` gives ``a.b.c`` and ``a.b.d`` (a name that is
    not a module is resolved by the caller to its deepest module prefix); ``from a import *`` gives ``a``.
    Relative imports are resolved against ``module``'s package (``module`` itself when ``path`` is an
    ``__init__.py``); one that climbs above the top-level package is dropped.
    """
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if node.level - 1 >= len(package):
                    continue
                base = package[: len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            else:
                base = node.module.split(".")
            for alias in node.names:
                names.add(".".join(base if alias.name == "*" else [*base, alias.name]))
    return names


def resolve(name: str, modules: Container[str]) -> str | None:
    """The deepest of ``modules`` among ``name`` and its dotted prefixes, or None if there is none."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def import_edges(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    """For each module in ``modules``, the other modules in ``modules`` that it imports (see the module doc).

    ``import a.b.c`` and ``from a.b import c`` give an edge to ``a.b.c`` if it is a project module, else to
    its deepest prefix that is (``a.b``). Imports of anything else (django, numpy, ...) give no edge, nor
    does a module's import of itself. Every module is a key, with an empty set if it imports none of ours.
    """
    edges: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {resolve(name, modules) for name in imported_names(module, path)}
        edges[module] = {target for target in targets if target is not None and target != module}
    return edges


def cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module: each a sorted list, the list sorted.

    Empty exactly when the graph has no cycle (a module's edge to itself is not one; ``import_edges``
    never makes those). Tarjan's algorithm, iterative, so depth is not limited by the recursion limit.
    """
    graph = {node: sorted(set(targets)) for node, targets in edges.items()}
    graph.update({target: [] for targets in list(graph.values()) for target in targets if target not in graph})
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []
    work: list[tuple[str, Iterator[str]]] = []

    def enter(node: str) -> None:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        work.append((node, iter(graph[node])))

    for start in sorted(graph):
        if start not in index:
            enter(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    enter(successor)
                    break
                if successor in stack:
                    lowlink[node] = min(lowlink[node], index[successor])
            else:
                work.pop()
                if work:
                    lowlink[work[-1][0]] = min(lowlink[work[-1][0]], lowlink[node])
                if lowlink[node] == index[node]:
                    component = stack[stack.index(node) :]
                    del stack[stack.index(node) :]
                    if len(component) > 1:
                        components.append(sorted(component))
    return sorted(components)


def cycle_path(edges: Mapping[str, Iterable[str]], component: Iterable[str]) -> list[str]:
    """One shortest cycle through the component's first module (by name), as ``[a, b, ..., a]``.

    Precondition: ``component`` is one of ``cycles(edges)``. Only edges inside the component are followed,
    successors in name order, so the path is deterministic and each step names an import to look at.
    """
    members = set(component)
    start = min(members)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(set(edges.get(node, ())) & members):
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    raise ValueError(f"no cycle through {start} within {sorted(members)}")

"""The project's modules import each other in layers: models, then the mail
side, then services and tasks, then views and admin. An import cycle (closed by
an import hidden inside a function) made the order modules load in matter, and
let the email helpers reach for Celery."""

import ast
import pathlib
from collections import defaultdict

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("campaign", "accounts")

# Imports of project modules left inside functions, each with the reason it must stay lazy: none.
ALLOWED_LAZY_IMPORTS: set[tuple[str, str]] = set()


def _modules() -> dict[str, pathlib.Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


MODULES = _modules()


def _targets(node: ast.Import | ast.ImportFrom, importer: str) -> tuple[set[str], set[str]]:
    """The project modules an import statement names (``from package import
    submodule`` names the submodule), and the parent packages it loads first."""
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    else:
        base = node.module or ""
        if node.level:  # relative: from . import x
            package = importer.split(".") if importer in _packages() else importer.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        submodules = {f"{base}.{alias.name}" for alias in node.names} & set(MODULES)
        names = submodules or {base}
    parents = {".".join(name.split(".")[:i]) for name in names for i in range(1, name.count(".") + 1)}
    return ({name for name in names if name in MODULES} - {importer}), (parents & set(MODULES)) - {importer}


def _packages() -> set[str]:
    return {name for name, path in MODULES.items() if path.name == "__init__.py"}


class _ImportVisitor(ast.NodeVisitor):
    """Sorts a module's imports into those run when it loads (module and class
    bodies, ``if``/``try`` blocks) and those inside functions."""

    def __init__(self, importer: str):
        self.importer = importer
        self.eager: set[str] = set()
        self.lazy: set[str] = set()
        self.depth = 0

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_Lambda = visit_FunctionDef

    def visit_If(self, node):
        # ``if TYPE_CHECKING:`` imports never run.
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def visit_Import(self, node):
        named, parents = _targets(node, self.importer)
        (self.lazy if self.depth else self.eager).update(named)
        if not self.depth:
            self.eager.update(parents)

    visit_ImportFrom = visit_Import


def _import_graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    eager, lazy = defaultdict(set), defaultdict(set)
    for name, path in MODULES.items():
        visitor = _ImportVisitor(name)
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        eager[name] |= visitor.eager
        lazy[name] |= visitor.lazy
    return eager, lazy


def _loaded_with(module: str, graph: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        for target in graph[current] - seen:
            seen.add(target)
            todo.append(target)
    return seen


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                cycles.append(sorted(component))

    for node in sorted(MODULES):
        if node not in index:
            visit(node)
    return cycles


EAGER, LAZY = _import_graph()


def test_the_graph_sees_the_project_and_its_imports():
    # Guards the tests below against passing on an empty or misread graph.
    assert {"campaign.models", "campaign.mail.emails", "campaign.tasks", "accounts.models"} <= set(MODULES)
    assert "campaign.models" in EAGER["campaign.mail.emails"]
    assert "campaign.mail.outbox" in EAGER["campaign.tasks"]


@pytest.mark.parametrize("module", ["campaign.mail.emails", "campaign.models", "campaign.mail.notifications"])
def test_building_email_never_loads_the_celery_tasks(module):
    """Delivery is queued in one place, ``campaign.tasks``, by the services and
    jobs that write outbox rows; the email helpers only build them. Imports
    inside functions count: they load the tasks all the same, only later."""
    everything = {name: EAGER[name] | LAZY[name] for name in MODULES}
    assert "campaign.tasks" not in _loaded_with(module, everything)


def test_no_import_cycle_among_the_project_modules():
    assert _cycles(EAGER) == []


def test_no_import_cycle_even_counting_the_imports_inside_functions():
    """A lazy import that closes a cycle hides one; this finds it."""
    assert _cycles({name: EAGER[name] | LAZY[name] for name in MODULES}) == []


def test_imports_inside_functions_are_only_the_justified_ones():
    lazy = {(importer, target) for importer, targets in LAZY.items() for target in targets}
    assert lazy - ALLOWED_LAZY_IMPORTS == set()

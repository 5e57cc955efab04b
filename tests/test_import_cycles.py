"""Dependencies point one way: no import circle, and booking never leans on its dependants.

Read from the source (every ``import``, including those inside functions, which a circle
hides behind as easily as any), not by importing it: a circle that only bites in one import
order is still a circle. The layers, lowest first: ``practice``; ``booking``'s domain;
``booking.payments`` and ``intake`` beside each other above it; then the pages and commands
(booking's own included, since a booking page shows its payment and intake); ``console``.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "booking", "console", "intake", "practice")
# booking's pages, admin and commands: they show and seed payments and intakes, and nothing
# below them imports them.
BOOKING_PAGES = (
    "booking.account_views",
    "booking.admin",
    "booking.api",
    "booking.limited",
    "booking.management",
    "booking.manage_views",
    "booking.views",
)
DEPENDANTS = ("booking.payments", "intake")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _ours(name: str, known: dict) -> str | None:
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    """``{module: the project modules it imports}``: ``from a import b`` counts as a.b when
    that is a module, else as a."""
    known = modules()
    graph = {}
    for name, path in known.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    imported.add(full if full in known else node.module)
        graph[name] = {
            ours for target in imported if (ours := _ours(target, known)) not in (None, name)
        }
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(graph[target]))))
            elif target in on_stack:
                low[node] = min(low[node], index[target])
    return found


def _within(name: str, packages) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def test_no_module_imports_itself_through_others():
    assert circles(import_graph()) == []


def test_booking_never_imports_payments_or_intake_below_its_pages():
    leaning = {
        name: sorted(t for t in targets if _within(t, DEPENDANTS))
        for name, targets in import_graph().items()
        if _within(name, ("booking",))
        and not _within(name, DEPENDANTS)
        and not _within(name, BOOKING_PAGES)
    }
    assert {name: targets for name, targets in leaning.items() if targets} == {}


def test_nothing_below_the_console_imports_it():
    graph = import_graph()
    below = {name: targets for name, targets in graph.items() if not _within(name, ("console",))}
    assert {n: sorted(t for t in ts if _within(t, ("console",))) for n, ts in below.items()} == {
        n: [] for n in below
    }


def test_the_check_sees_a_circle_when_there_is_one():
    """The test itself can fail: a made-up circle through a function-level import is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(graph) == [["a", "b", "c"]]
    source = "def f():\n    from booking import services\n"
    [node] = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)]
    assert node.module == "booking" and node.names[0].name == "services"

"""Where the benchmark code lives and how its modules depend on one another.

`benchmarks/` is a package of the repository, not of the product: nothing in
`lakehouse_assets` may import it. Its own modules import one another at module
level only (an import inside a function can hide a cycle), and those imports
form a DAG.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import benchmarks

PACKAGE = Path(benchmarks.__file__).resolve().parent
PRODUCT = PACKAGE.parent / "lakehouse_assets"


def imported(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """(module name, node) of every import statement anywhere in `tree`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node))
            # `from benchmarks import daily` names a module of the package too
            if node.module == "benchmarks":
                found += [(f"benchmarks.{alias.name}", node) for alias in node.names]
    return found


def package_modules() -> dict[str, ast.Module]:
    return {f"benchmarks.{p.stem}" if p.stem != "__init__" else "benchmarks": ast.parse(p.read_text(), str(p))
            for p in sorted(PACKAGE.glob("*.py"))}


def test_the_product_does_not_import_the_benchmarks():
    offenders = [f"{path.relative_to(PRODUCT.parent)}: {name}"
                 for path in sorted(PRODUCT.rglob("*.py"))
                 for name, _ in imported(ast.parse(path.read_text(), str(path)))
                 if name == "benchmarks" or name.startswith("benchmarks.")]
    assert offenders == []
    assert not (PRODUCT / "bench").exists(), "the old lakehouse_assets/bench package is back"


def test_benchmark_modules_import_one_another_at_top_level_and_form_a_dag():
    modules = package_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    nested = []
    for name, tree in modules.items():
        top_level = {id(node) for node in tree.body}
        for target, node in imported(tree):
            if target in modules and target != name:
                graph[name].add(target)
                if id(node) not in top_level:
                    nested.append(f"{name} imports {target} inside a function or block")
    assert nested == []
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as cycle:  # pragma: no cover - the message is the point
        raise AssertionError(f"import cycle among benchmark modules: {cycle.args[1]}") from None
    assert set(order) == set(modules)

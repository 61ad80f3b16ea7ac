"""The library's architecture, read from its source with ``ast`` (nothing is imported):

* no import circle between modules of ``lib/crs_compendium``;
* nothing outside ``crs_compendium/synthetic/`` imports the synthetic generator's package, except the
  command line (``reconstruct``) and the lazy name table of ``crs_compendium/__init__.py``;
* imports run one way, down the layers (``crs_compendium/__init__.py``, "Architecture"):
  floor (vocab, numbers, formatting, computable, files, paths, exceptions) < patients < stats, printed
  < reproduce, audit < figures < synthetic < cli, and ``build`` imports the floor only (and nothing imports
  ``build``). Packages of one layer do not import each other;
* the notebooks import only ``from crs_compendium import ...`` public names, and only the page that describes
  the synthetic cohort uses the synthetic package's names (``crs_compendium.SYNTHETIC_NAMES``).

Each rule is also run on a planted violation, so that none of them can pass by checking nothing.
"""
import ast
import re
from pathlib import Path

import pytest

import crs_compendium

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "lib" / "crs_compendium"
NOTEBOOKS = ROOT / "notebooks"
PACKAGE = "crs_compendium"

FLOOR = ("vocab", "numbers", "formatting", "computable", "files", "paths", "exceptions")
LAYERS = {
    "floor": 0,
    "patients": 1,
    "stats": 2, "printed": 2,
    "reproduce": 3, "audit": 3,
    "figures": 4,
    "synthetic": 5,
    "cli": 6,
    "__main__": 7,  # `python -m crs_compendium` runs the command line
    "": 8,  # the package's own __init__ (the lazy name table) sits above everything
}
"""Layer of each part of the library (a sub-package, a top-level module, or the floor's modules)."""
BUILD = "build"
"""Build plumbing: outside the layers, it may import the floor only, and nothing may import it."""
SYNTHETIC = f"{PACKAGE}.synthetic"
SYNTHETIC_IMPORTERS = {f"{PACKAGE}.cli"}
"""The one module outside the synthetic package that may import it: the command line. The package's lazy
name table (``_PUBLIC`` in ``__init__.py``) names modules instead of importing them; it is read on its own
(:func:`lazy_table_modules`) and may name the synthetic package's ``provenance`` only."""


# --------------------------------------------------------------------------------------------------------
# Reading the import graph
# --------------------------------------------------------------------------------------------------------
def library_sources(folder: Path = PACKAGE_DIR) -> dict[str, tuple[str, bool]]:
    """Module name -> (source, is_package) for every module of the library."""
    sources = {}
    for path in sorted(folder.rglob("*.py")):
        parts = list(path.relative_to(folder.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        sources[name] = (path.read_text(encoding="utf-8"), is_package)
    return sources


def imported_modules(name: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The library modules one module imports, relative or absolute, anywhere in its source (functions and
    ``TYPE_CHECKING`` blocks included). ``from .x import y`` counts as importing ``x`` and, when ``x.y`` is a
    module, ``x.y`` too."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] != PACKAGE:
                continue
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in known}
    return found


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    known = set(sources)
    return {name: imported_modules(name, source, is_package, known) & known - {name}
            for name, (source, is_package) in sources.items()}


# --------------------------------------------------------------------------------------------------------
# The rules, as functions of a graph (so that planted violations can be fed to them)
# --------------------------------------------------------------------------------------------------------
def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of modules with more than one member (or importing itself), each as one
    cycle through it, e.g. ``[a, b, a]``."""
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            members = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.add(member)
                if member == node:
                    break
            if len(members) > 1 or node in graph.get(node, ()):
                cycles.append(_cycle_through(graph, members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def _cycle_through(graph: dict[str, set[str]], members: set[str]) -> list[str]:
    """The shortest closed path inside a strongly connected set, from its first member back to it."""
    start = min(members)
    paths, seen = [[start]], set()
    while paths:
        path = paths.pop(0)
        for target in sorted(graph[path[-1]] & members):
            if target == start:
                return [*path, start]
            if target not in seen:
                seen.add(target)
                paths.append([*path, target])
    raise AssertionError(f"{sorted(members)} is not strongly connected")


def part_of(module: str) -> str:
    """The part of the library a module belongs to: "floor", a sub-package or top-level module, or "" for
    the package's own __init__."""
    parts = module.split(".")[1:]
    if not parts:
        return ""
    return "floor" if parts[0] in FLOOR else parts[0]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports against the layer order: each import must stay in its part or go to a lower layer; build
    imports the floor only and is imported by nothing outside it."""
    problems = []
    for module, targets in sorted(graph.items()):
        source = part_of(module)
        for target in sorted(targets):
            destination = part_of(target)
            if source == destination:
                continue
            if BUILD in (source, destination):
                if source == BUILD and destination == "floor":
                    continue
                problems.append(f"{module} imports {target}: build may import only the floor, and nothing may "
                                "import build")
            elif source not in LAYERS or destination not in LAYERS:
                problems.append(f"{module} imports {target}: {source or destination!r} has no layer in this test")
            elif LAYERS[destination] >= LAYERS[source]:
                problems.append(f"{module} (layer {source}) imports {target} (layer {destination}), which is not "
                                "below it")
    return problems


def synthetic_violations(graph: dict[str, set[str]]) -> list[str]:
    return [f"{module} imports {target}" for module, targets in sorted(graph.items())
            if module != SYNTHETIC and not module.startswith(SYNTHETIC + ".") and module not in SYNTHETIC_IMPORTERS
            for target in sorted(targets) if target == SYNTHETIC or target.startswith(SYNTHETIC + ".")]


def lazy_table_modules(source: str) -> set[str]:
    """The modules the lazy name table (``_PUBLIC`` in ``__init__.py``) loads, as full names."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_PUBLIC" for t in node.targets):
            return {f"{PACKAGE}.{key.value}" for key in node.value.keys}
    raise AssertionError("no _PUBLIC table in crs_compendium/__init__.py")


def notebook_import_problems(name: str, code_cells: list[str], public: set[str],
                             synthetic_names: frozenset, synthetic_page: bool) -> list[str]:
    """Imports of the library by a notebook that are not ``from crs_compendium import <public name>``, and
    synthetic-package names used on a page other than the synthetic cohort's."""
    problems = []
    for source in code_cells:
        # IPython magics and shell escapes are not Python.
        python = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
        tree = ast.parse("\n".join(python))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                problems += [f"{name}: import {alias.name} (use `from crs_compendium import ...`)"
                             for alias in node.names if alias.name.split(".")[0] == PACKAGE]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level or module.split(".")[0] != PACKAGE:
                    continue
                if module != PACKAGE:
                    problems.append(f"{name}: from {module} import ... (a deep path; use `from crs_compendium import`)")
                    continue
                for alias in node.names:
                    if alias.name.startswith("_"):
                        problems.append(f"{name}: imports the private name {alias.name}")
                    elif alias.name not in public:
                        problems.append(f"{name}: imports {alias.name}, not a public name of crs_compendium")
                    elif alias.name in synthetic_names and not synthetic_page:
                        problems.append(f"{name}: imports {alias.name} of the synthetic generator's package")
    return problems


def notebook_code_cells(path: Path) -> list[str]:
    import jupytext  # only these tests read notebooks: the other workers of a parallel run need not import it

    notebook = jupytext.read(path)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


# --------------------------------------------------------------------------------------------------------
# The library as it is
# --------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sources():
    return library_sources()


@pytest.fixture(scope="module")
def graph(sources):
    return import_graph(sources)


def test_the_graph_covers_every_module_and_sees_relative_imports(graph):
    assert {"crs_compendium.vocab", "crs_compendium.audit", "crs_compendium.audit.checks",
            "crs_compendium.build.sphinx_ext", "crs_compendium.synthetic.generate"} <= set(graph)
    assert "crs_compendium.printed.registry" in graph["crs_compendium.audit.inputs"]  # from ..printed.registry
    assert "crs_compendium.printed.flow" in graph["crs_compendium.audit.checks"]  # from ..printed import flow
    assert "crs_compendium.stats.survival" in graph["crs_compendium.figures"]  # under TYPE_CHECKING
    assert "crs_compendium.synthetic" in graph["crs_compendium.synthetic.generate"]  # from . import DEFAULT_SEED


def test_no_import_circle(graph):
    cycles = import_cycles(graph)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(cycle) for cycle in cycles)


def test_only_the_command_line_imports_the_synthetic_generator(graph):
    assert synthetic_violations(graph) == []


def test_the_lazy_name_table_loads_only_the_synthetic_provenance(sources):
    loaded = lazy_table_modules(sources[PACKAGE][0])
    assert {module for module in loaded if module.startswith(SYNTHETIC)} == {f"{SYNTHETIC}.provenance"}
    assert loaded <= set(sources)


def test_imports_run_down_the_layers(graph):
    assert {part_of(module) for module in graph} <= set(LAYERS) | {BUILD}
    assert layer_violations(graph) == []


def test_every_part_of_the_library_is_used_by_a_higher_one_or_the_notebooks(graph):
    """The layers are not empty words: each edge kind the order allows is actually present."""
    edges = {(part_of(module), part_of(target)) for module, targets in graph.items() for target in targets}
    assert {("patients", "floor"), ("stats", "patients"), ("printed", "patients"), ("reproduce", "stats"),
            ("reproduce", "printed"), ("audit", "printed"), ("figures", "stats"), ("synthetic", "reproduce"),
            ("cli", "synthetic"), ("build", "floor")} <= edges


# --------------------------------------------------------------------------------------------------------
# The notebooks
# --------------------------------------------------------------------------------------------------------
NOTEBOOK_PAGES = sorted(NOTEBOOKS.glob("*.md"))
SYNTHETIC_PAGE = "08_synthetic_cohort"


def test_there_are_notebooks_and_the_synthetic_page_is_one():
    assert SYNTHETIC_PAGE in {path.stem for path in NOTEBOOK_PAGES} and len(NOTEBOOK_PAGES) >= 10


@pytest.mark.parametrize("path", NOTEBOOK_PAGES, ids=lambda path: path.stem)
def test_notebooks_import_public_names_from_the_package_only(path):
    cells = notebook_code_cells(path)
    imported = [cell for cell in cells if re.search(r"\bfrom crs_compendium import\b", cell)]
    assert imported, f"{path.stem} imports nothing from crs_compendium"
    problems = notebook_import_problems(path.stem, cells, set(crs_compendium.__all__),
                                        crs_compendium.SYNTHETIC_NAMES, path.stem == SYNTHETIC_PAGE)
    assert problems == []


def test_the_synthetic_page_uses_the_synthetic_names():
    cells = notebook_code_cells(NOTEBOOKS / f"{SYNTHETIC_PAGE}.md")
    used = {alias.name for cell in cells for node in ast.walk(ast.parse(cell)) if isinstance(node, ast.ImportFrom)
            for alias in node.names}
    assert crs_compendium.SYNTHETIC_NAMES & used


# --------------------------------------------------------------------------------------------------------
# Planted violations: each rule catches what it is meant to catch
# --------------------------------------------------------------------------------------------------------
def planted(**modules: str) -> dict[str, set[str]]:
    """A graph from sources given as keyword arguments (dots in names written as "__"; a trailing "__init"
    marks a package)."""
    sources = {}
    for key, source in modules.items():
        is_package = key.endswith("__init")
        name = key.removesuffix("__init").replace("__", ".").rstrip(".")
        sources[name] = (source, is_package)
    return import_graph(sources)


def test_a_planted_circle_is_reported_with_its_path():
    graph = planted(crs_compendium__numbers="from .formatting import format_p",
                    crs_compendium__formatting="from .numbers import parse_printed",
                    crs_compendium__vocab="")
    assert import_cycles(graph) == [["crs_compendium.formatting", "crs_compendium.numbers",
                                     "crs_compendium.formatting"]]
    longer = planted(crs_compendium__audit__checks="from .combine import x",
                     crs_compendium__audit__combine="from crs_compendium.audit.render import y",
                     crs_compendium__audit__render="from . import checks",
                     crs_compendium__audit__init="")
    (cycle,) = import_cycles(longer)
    assert cycle[0] == cycle[-1] and set(cycle) == {"crs_compendium.audit.checks", "crs_compendium.audit.combine",
                                                    "crs_compendium.audit.render"}


def test_a_planted_import_of_the_generator_is_reported():
    graph = planted(crs_compendium__reproduce__fit="from ..synthetic.provenance import DECISIONS",
                    crs_compendium__cli="from .synthetic import DEFAULT_SEED",
                    crs_compendium__synthetic__init="",
                    crs_compendium__synthetic__provenance="",
                    crs_compendium__synthetic__generate="from . import DEFAULT_SEED\nfrom .provenance import x")
    assert synthetic_violations(graph) == ["crs_compendium.reproduce.fit imports crs_compendium.synthetic.provenance"]


def test_a_planted_upward_import_is_reported():
    graph = planted(crs_compendium__patients__load="from ..printed.registry import load_claims",
                    crs_compendium__printed__registry="from ..paths import ROOT",
                    crs_compendium__printed__contingency="import crs_compendium.stats.two_groups",
                    crs_compendium__stats__two_groups="",
                    crs_compendium__build__execution="from ..numbers import parse_printed\nfrom ..figures import x",
                    crs_compendium__audit__checks="from crs_compendium.build import execution",
                    crs_compendium__figures="", crs_compendium__numbers="", crs_compendium__paths="",
                    crs_compendium__build__init="")
    problems = layer_violations(graph)
    assert problems == [
        "crs_compendium.audit.checks imports crs_compendium.build: build may import only the floor, and nothing "
        "may import build",
        "crs_compendium.audit.checks imports crs_compendium.build.execution: build may import only the floor, and "
        "nothing may import build",
        "crs_compendium.build.execution imports crs_compendium.figures: build may import only the floor, and "
        "nothing may import build",
        "crs_compendium.patients.load (layer patients) imports crs_compendium.printed.registry (layer printed), "
        "which is not below it",
        "crs_compendium.printed.contingency (layer printed) imports crs_compendium.stats.two_groups (layer "
        "stats), which is not below it",
    ]


def test_a_planted_lazy_table_entry_is_read():
    source = '_PUBLIC = {"vocab": ("GROUP_ORDER",), "synthetic.generate": ("reconstruct",)}\nimport os\n'
    assert lazy_table_modules(source) == {"crs_compendium.vocab", "crs_compendium.synthetic.generate"}
    graph = planted(crs_compendium__init="from .synthetic import DEFAULT_SEED", crs_compendium__synthetic__init="")
    assert synthetic_violations(graph) == ["crs_compendium imports crs_compendium.synthetic"]


def test_planted_notebook_imports_are_reported():
    public, synthetic = set(crs_compendium.__all__), crs_compendium.SYNTHETIC_NAMES
    cells = ["import pandas as pd\n%matplotlib inline\nfrom crs_compendium import load_claims, _MODULE_OF",
             "from crs_compendium.audit import run_audit\nimport crs_compendium.figures",
             "from crs_compendium import DECISIONS, not_a_name"]
    problems = notebook_import_problems("99_page", cells, public, synthetic, synthetic_page=False)
    assert problems == [
        "99_page: imports the private name _MODULE_OF",
        "99_page: from crs_compendium.audit import ... (a deep path; use `from crs_compendium import`)",
        "99_page: import crs_compendium.figures (use `from crs_compendium import ...`)",
        "99_page: imports DECISIONS of the synthetic generator's package",
        "99_page: imports not_a_name, not a public name of crs_compendium",
    ]
    assert notebook_import_problems("08", cells[2:], public, synthetic, synthetic_page=True) == [
        "08: imports not_a_name, not a public name of crs_compendium"]

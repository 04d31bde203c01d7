"""Counters the security tests fill in as they run; conftest prints them in the summary."""

from collections import defaultdict

matrix_urls: set[str] = set()
matrix_actors: set[str] = set()
matrix_methods: set[str] = set()
matrix_checks = 0

hostile_examples: dict[str, int] = defaultdict(int)
grid_examples: dict[str, int] = defaultdict(int)

faults_injected: list[str] = []

out_of_range_checks = 0


def record_matrix_check(url: str, actor: str, method: str) -> None:
    global matrix_checks
    matrix_urls.add(url)
    matrix_actors.add(actor)
    matrix_methods.add(method)
    matrix_checks += 1


def export() -> dict:
    """This process's counts, as JSON-like data (a pytest-xdist worker hands them over)."""
    return {
        "matrix_urls": sorted(matrix_urls),
        "matrix_actors": sorted(matrix_actors),
        "matrix_methods": sorted(matrix_methods),
        "matrix_checks": matrix_checks,
        "hostile_examples": dict(hostile_examples),
        "grid_examples": dict(grid_examples),
        "faults_injected": list(faults_injected),
        "out_of_range_checks": out_of_range_checks,
    }


def merge(counts: dict) -> None:
    """Add a worker's counts (from `export`) to this process's."""
    global matrix_checks, out_of_range_checks
    matrix_urls.update(counts["matrix_urls"])
    matrix_actors.update(counts["matrix_actors"])
    matrix_methods.update(counts["matrix_methods"])
    matrix_checks += counts["matrix_checks"]
    for mine, theirs in (
        (hostile_examples, counts["hostile_examples"]),
        (grid_examples, counts["grid_examples"]),
    ):
        for name, count in theirs.items():
            mine[name] += count
    faults_injected.extend(counts["faults_injected"])
    out_of_range_checks += counts["out_of_range_checks"]


def summary_lines() -> list[str]:
    lines = []
    if matrix_checks:
        lines.append(
            f"Permission matrix: {len(matrix_urls)} URLs × {len(matrix_actors)} actors × "
            f"methods = {matrix_checks} checks"
        )
    parts = []
    for kind, counts in (("forms", hostile_examples), ("grids", grid_examples)):
        if counts:
            total = sum(counts.values())
            parts.append(
                f"{len(counts)} {kind} × {round(total / len(counts))} examples = {total} requests"
            )
    if parts:
        lines.append(f"Hostile inputs: {'; '.join(parts)}")
    if out_of_range_checks:
        lines.append(
            f"Out-of-range ids: {out_of_range_checks} requests (form id fields and URL id segments)"
        )
    if faults_injected:
        lines.append(f"Faults injected: {len(faults_injected)} ({', '.join(faults_injected)})")
    return lines

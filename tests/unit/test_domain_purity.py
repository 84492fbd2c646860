"""The domain package is pure: no I/O modules, no clock, no environment (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "openses" / "domain"
FORBIDDEN_MODULES = {
    "asyncio",
    "socket",
    "ssl",
    "select",
    "selectors",
    "sqlite3",
    "time",
    "os",
    "sys",
    "io",
    "subprocess",
    "threading",
    "multiprocessing",
    "random",
    "secrets",
    "uuid",
    "urllib.request",  # urllib.parse is string handling, and allowed
    "http",
    "smtplib",
    "logging",
    "pathlib",
    "shutil",
    "tempfile",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "psycopg",
    "aiosmtpd",
    "aiosmtplib",
    "dns",
    "httpx",
    "starlette",
    "uvicorn",
    "botocore",
    "boto3",
    "openses.api",
    "openses.cli",
    "openses.services",
    "openses.storage",
    "openses.smtp",
    "openses.outbound",
    "openses.runtime",
}
CLOCK_CALLS = {"now", "utcnow", "today", "time", "monotonic"}
MODULES = sorted(DOMAIN.rglob("*.py"))


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_there_is_a_domain_to_check() -> None:
    assert len(MODULES) > 5


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = {
        name
        for name in _imports(tree)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_MODULES)
    }
    assert not bad, f"{path.name} imports {sorted(bad)}"
    clock = [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in CLOCK_CALLS
    ]
    assert not clock, f"{path.name} reads a clock ({clock}); take `now` as an argument"

"""The README and docs/ as tests: every command, link, setting, path and example in them must work.

Fast and model-free: commands are parsed by their own argparse (never run), curl examples and the
openai example run against the app with the fake models, and the generated pages must match the code.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import re
import shlex
import shutil
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rag.settings import PROJECT_ROOT, Settings
from tools import docs as generator

PAGES = [PROJECT_ROOT / "README.md", PROJECT_ROOT / "CHANGELOG.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
# Entry points a `python -m` in the docs may name, and the function that parses their arguments.
ENTRY_POINTS = {"eval": "eval.cli", "index": "index.cli", "api": "api.__main__", "tools.docs": "tools.docs"}
SETTING_NAMES = {"RAG_" + f.name.upper() for f in fields(Settings)}


def text(page: Path) -> str:
    return page.read_text()


def blocks(language: str | None = None) -> list[tuple[Path, str, str]]:
    """(page, language, body) of every fenced code block."""
    found = [(page, m.group(1), m.group(2)) for page in PAGES for m in FENCE.finditer(text(page))]
    return [b for b in found if language is None or b[1] == language]


def shell_lines() -> list[str]:
    """Every command of every sh block, continuation lines joined, comments dropped."""
    lines = []
    for _, _, body in blocks("sh"):
        for line in body.replace("\\\n", " ").splitlines():
            line = line.split(" # ")[0].split("   #")[0].strip().rstrip("&").strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def inline_commands() -> list[str]:
    """`python -m …` and `make …` written inline in prose, outside code blocks."""
    prose = [FENCE.sub("", text(page)) for page in PAGES]
    found = [m.group(1) for t in prose for m in re.finditer(r"`((?:python -m|make) [^`]+)`", t)]
    return [c for c in found if not c.endswith(" ...")]  # a generated table's header elides the sizes


class Parsed(Exception):
    """Raised instead of running a command once its arguments have parsed."""


@contextlib.contextmanager
def parse_only() -> Iterator[None]:
    original = argparse.ArgumentParser.parse_args

    def parse(self: argparse.ArgumentParser, args: Any = None, namespace: Any = None) -> Any:
        original(self, args, namespace)
        raise Parsed

    argparse.ArgumentParser.parse_args = parse  # type: ignore[assignment]
    try:
        yield
    finally:
        argparse.ArgumentParser.parse_args = original  # type: ignore[method-assign]


def check_python_module(module: str, argv: list[str]) -> None:
    """`python -m module argv…` names a real entry point and its argparse accepts `argv`."""
    if module == "llama_cpp.server":  # llama-cpp-python's own server: present, not ours to parse
        assert importlib.util.find_spec("llama_cpp") is not None
        return
    target = importlib.import_module(ENTRY_POINTS.get(module, module))
    with parse_only(), pytest.raises(Parsed), contextlib.redirect_stderr(io.StringIO()) as err:
        try:
            target.main(argv)
        except SystemExit as exit_:  # argparse refusing the arguments
            pytest.fail(f"python -m {module} {' '.join(argv)}: {err.getvalue() or exit_}")


def make_targets() -> set[str]:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    return {m.group(1) for m in re.finditer(r"^([\w-]+):", makefile, re.MULTILINE)}


def check_command(line: str, client: TestClient) -> None:
    words = shlex.split(line)
    if words[0] == "export":
        words = words[1:]
    while words and re.fullmatch(r"RAG_\w+=\S*", words[0]):
        assert words[0].split("=")[0] in SETTING_NAMES, words[0]
        words = words[1:]
    if not words:
        return
    program, args = words[0], words[1:]
    if program == "make":
        assert set(args) <= make_targets(), line
    elif program.endswith("python") and args[0] == "-m":
        check_python_module(args[1], args[2:])
    elif program == ".venv/bin/chroma":
        assert shutil.which("chroma", path=str(Path(sys.executable).parent)), "chroma comes with chromadb"
    elif program == "curl":
        check_curl(args, client)
    elif words[:2] == ["docker", "compose"]:
        assert (PROJECT_ROOT / "docker-compose.yml").exists() and (PROJECT_ROOT / "Dockerfile").exists()
    else:
        pytest.fail(f"a command the docs tests do not know how to check: {line}")


def check_curl(args: list[str], client: TestClient) -> None:
    """The route exists and answers the example's body with a 200."""
    [url] = [a for a in args if "localhost" in a or "127.0.0.1" in a]
    path = "/" + url.split("/", 1)[1] if "/" in url else "/"
    body = args[args.index("-d") + 1] if "-d" in args else None
    reply = client.post(path, json=json.loads(body)) if body is not None else client.get(path)
    assert reply.status_code == 200, (path, reply.text)


def test_every_shell_command_in_the_docs_parses_and_its_examples_answer(client: TestClient) -> None:
    lines = shell_lines()
    assert len(lines) >= 30 and any(line.startswith("curl") for line in lines)
    for line in lines:
        check_command(line, client)


def test_every_inline_command_in_the_docs_exists(client: TestClient) -> None:
    commands = inline_commands()
    assert len(commands) >= 15
    for command in commands:
        check_command(command, client)


def test_the_python_examples_run_against_the_app(live_server: str) -> None:
    examples = blocks("python")
    assert examples
    for page, _, code in examples:
        code = code.replace("http://127.0.0.1:8000", live_server)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(page), "exec"), {})  # noqa: S102 - the docs' own example
        assert "References:" in out.getvalue()  # the verified answer and its references were printed


def test_every_code_block_is_of_a_kind_these_tests_check() -> None:
    found = blocks()
    assert len(found) >= 10
    assert {language for _, language, _ in found} <= {"sh", "python", "text"}
    for page, language, body in found:
        if language == "text":  # a layout: each line names a folder of the checkout
            folders = [line.split()[0] for line in body.splitlines() if line.strip()]
            assert folders and all((PROJECT_ROOT / f).is_dir() for f in folders), (page, folders)


def test_every_rag_variable_named_in_the_docs_is_a_setting() -> None:
    named = {m.group(0) for page in PAGES for m in re.finditer(r"\bRAG_[A-Z_]+[A-Z]\b", text(page))}
    assert len(named) >= 20
    assert named <= SETTING_NAMES, named - SETTING_NAMES


def test_every_relative_link_resolves() -> None:
    links = [(page, m.group(1)) for page in PAGES for m in re.finditer(r"\]\(([^)\s]+)\)", text(page))]
    local = [(page, link) for page, link in links if not re.match(r"[a-z]+:", link)]
    assert len(local) >= 25
    for page, link in local:
        target, _, anchor = link.partition("#")
        resolved = (page.parent / target).resolve() if target else page
        assert resolved.exists(), f"{page.name}: {link}"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{page.name}: {link}"


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens."""
    headings = re.findall(r"^#+ (.+)$", FENCE.sub("", text(page)), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower().replace("`", "")).replace(" ", "-") for h in headings}


def test_every_file_path_and_test_named_in_the_docs_exists() -> None:
    pattern = r"`((?:rag|api|eval|bench|index|tests|tools|data)/[\w./-]+?)(?:::(\w+))?`"
    named = [m.groups() for page in PAGES for m in re.finditer(pattern, text(page))]
    assert len(named) >= 30 and sum(bool(test) for _, test in named) >= 15
    for path, test in named:
        if path.startswith(("eval/results/", "data/index")):
            continue  # what the commands write: gitignored, not committed
        assert (PROJECT_ROOT / path).exists(), path
        if test:
            assert f"def {test}(" in (PROJECT_ROOT / path).read_text(), f"{path}::{test}"


def test_every_metric_named_in_the_docs_is_served(client: TestClient) -> None:
    named = {m.group(0) for page in PAGES for m in re.finditer(r"\brag_[a-z_]+_(?:total|seconds|depth|running)\b",
                                                                text(page))}
    assert len(named) >= 8
    served = client.get("/metrics").text
    assert all(name in served for name in named), [n for n in named if n not in served]


def test_no_page_dates_anything_by_a_round_of_work_or_cites_a_question_id() -> None:
    rounds = re.compile(r"(?<!-)\b(?:sessions?|rounds?)\s+\d|\bearlier (?:round|session)\b", re.IGNORECASE)
    question_id = re.compile(r"\b(?:[shf]\d{2}|mh\d{2,3}|a\d{3}|j\d{3}|\d{8}_\d)\b")
    for page in PAGES:
        assert not rounds.findall(text(page)), page.name
        assert not question_id.findall(text(page)), (page.name, question_id.findall(text(page)))


def test_every_headline_figure_names_its_date_and_command() -> None:
    section = text(PROJECT_ROOT / "README.md").split("## How well it does", 1)[1].split("\n## ", 1)[0]
    rows = [r for r in section.splitlines() if r.startswith("| ") and not r.startswith("| measure |")]
    assert len(rows) >= 8 and "<!-- results:headline -->" in section
    for row in rows:
        assert re.search(r"\| 20\d\d-\d\d-\d\d \|", row) and "`python -m " in row, row


def test_the_generated_pages_are_current() -> None:
    pages = generator.pages()
    assert {path.name for path in pages} == {"api.md", "settings.md", "README.md", "evaluation.md", "benchmarks.md"}
    for path, expected in pages.items():
        assert path.read_text() == expected, f"{path.name} is stale: run python -m tools.docs"


def test_every_setting_and_its_default_is_on_the_settings_page() -> None:
    page = text(PROJECT_ROOT / "docs" / "settings.md")
    for setting in fields(Settings):
        assert f"| `{generator.env_name(setting)}` | {generator.shown_default(setting)} |" in page


def test_every_endpoint_and_error_code_is_on_the_api_page() -> None:
    from api.main import create_app
    from rag import errors

    page = text(PROJECT_ROOT / "docs" / "api.md")
    schema = create_app(settings=Settings()).openapi()
    routes = [f"### `{method.upper()} {path}`" for path, ops in schema["paths"].items() for method in ops]
    assert len(routes) >= 10 and all(route in page for route in routes)
    codes = [cls.code for cls in errors.RagError.__subclasses__()]
    assert codes and all(f"`{code}`" in page for code in codes)

"""Every ```python block in README.md and docs/ runs, so the documentation cannot rot,
and a ``print(...)  # comment`` on one line prints what its comment says.

Blocks of one file run in order in one shared namespace, like a reader typing them
into one interpreter session, from a temporary working directory. A block whose fence
says ```python skip (e.g. a sketch of code that needs a server) is not run.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                    re.M | re.S)  # fmt: skip


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def python_blocks(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, code) of every ```python block of a Markdown file, in order."""
    text = path.read_text(encoding="utf-8")
    for match in _FENCE.finditer(text):
        words = match.group("info").split()
        if not words or words[0] not in ("python", "py") or "skip" in words[1:]:
            continue
        indent = match.group("indent")
        body = match.group("body")
        if indent:
            body = "\n".join(line.removeprefix(indent) for line in body.splitlines())
        line = text.count("\n", 0, match.start("body")) + 1
        yield line, body


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


FILES_WITH_CODE = [p for p in markdown_files() if any(python_blocks(p))]


#: ``print(...)  # what it prints`` on one line: the comment is the expected output.
_PRINT = re.compile(r"^(?P<indent>\s*)print\((?P<args>.*)\)[ \t]+#[ \t]?(?P<want>.*)$")
#: What may follow the output in its comment: an explanation ("… 5: one per survivor").
_EXPLAINED = re.compile(r": | \(| — ")


def expected_output(want: str, got: str) -> bool:
    """Whether ``got`` (what a print wrote) is what the comment ``want`` says: the same
    text, where ``...`` or ``…`` stand for any text, and perhaps followed by an
    explanation after ": ", " (" or " — "."""
    want = want.strip()
    ends = [len(want), *(m.start() for m in _EXPLAINED.finditer(want))]
    for end in ends:
        parts = re.split(r"\s*(?:\.\.\.|…)\s*", want[:end].strip())
        pattern = ".*".join(re.escape(part) for part in parts)
        if re.fullmatch(pattern, got, re.S):
            return True
    return False


def _checked(code: str, line: int) -> str:
    """The block with each commented one-line print turned into a check of its output."""
    lines = []
    for n, text in enumerate(code.splitlines()):
        m = _PRINT.match(text)
        if m and m.group("args").count("(") == m.group("args").count(")"):
            text = f"{m['indent']}__printed__({line + n}, {m['want']!r}, {m['args']})"
        lines.append(text)
    return "\n".join(lines)


@pytest.mark.parametrize("path", FILES_WITH_CODE, ids=_relative)
def test_python_blocks_run(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every block runs, and a ``print(...)  # comment`` prints what its comment says."""
    monkeypatch.chdir(tmp_path)
    wrong: list[str] = []

    def printed(at: int, want: str, *args: object, **kwargs: Any) -> None:
        buffer = io.StringIO()
        print(*args, file=buffer, **kwargs)
        print(*args, **kwargs)
        got = buffer.getvalue().rstrip("\n")
        if not expected_output(want, got):
            wrong.append(f"{_relative(path)}:{at}: the comment says {want!r}, it printed {got!r}")

    namespace: dict[str, object] = {"__name__": f"docs_{path.stem}", "__printed__": printed}
    for line, code in python_blocks(path):
        where = f"{_relative(path)}:{line}"
        compiled = compile(_checked(code, line), where, "exec")
        try:
            exec(compiled, namespace)
        except Exception as exc:
            pytest.fail(f"the example at {where} raised {type(exc).__name__}: {exc}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("want", "got", "ok"),
    [
        ("True forced_marriage", "True forced_marriage", True),
        ("True forced_marriage", "False forced_marriage", False),
        ("{('sexual_assault',): 5}: one per survivor", "{('sexual_assault',): 5}", True),
        ("{('sexual_assault',): 5}: one per survivor", "{('sexual_assault',): 4}", False),
        ("2026 52.03.17.2003 (the group's village)", "2026 52.03.17.2003", True),
        ("event time ... is before ...", "event time 2025-03-01 is before 2025-04-02", True),
        ("id holds a NIK (…)", "id holds a NIK (kept as a pseudonym)", True),
        ("id holds a NIK (…)", "id holds an id", False),
    ],
)
def test_expected_output(want: str, got: str, ok: bool) -> None:
    assert expected_output(want, got) is ok


def test_the_tutorial_has_examples() -> None:
    assert len(list(python_blocks(DOCS / "tutorial.md"))) >= 3


def test_blocks_are_found(tmp_path: Path) -> None:
    """The extractor itself: fences with info strings, skipped and indented blocks."""
    sample = "\n".join(
        [
            "text",
            "```python",
            "a = 1",
            "```",
            "```python skip",
            "raise SystemExit",
            "```",
            "- item",
            "  ```py",
            "  b = a + 1",
            "  ```",
            "```bash",
            "echo no",
            "```",
        ]
    )
    target = tmp_path / "sample.md"
    target.write_text(sample, encoding="utf-8")
    assert list(python_blocks(target)) == [(3, "a = 1\n"), (10, "b = a + 1")]


@pytest.mark.parametrize("path", markdown_files(), ids=_relative)
def test_relative_links_resolve(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    text = _FENCE.sub("", text)
    missing = [
        target
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
        if "://" not in target
        and not target.startswith("mailto:")
        and not (path.parent / target).exists()
    ]
    assert not missing, f"{_relative(path)} links to missing files: {missing}"


#: Pages whose examples write files in the working directory: pasted twice into one
#: directory, they must run again (each starts from its own fresh scratch files).
WRITING_FILES = ["docs/how-to/use-sql.md", "docs/how-to/write-an-adapter.md"]


@pytest.mark.parametrize("name", WRITING_FILES)
def test_python_blocks_run_twice_in_one_directory(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for run in (1, 2):
        namespace: dict[str, object] = {"__name__": f"docs_{Path(name).stem}"}
        for line, code in python_blocks(ROOT / name):
            where = f"{name}:{line} (run {run})"
            try:
                exec(compile(code, where, "exec"), namespace)
            except Exception as exc:
                pytest.fail(f"the example at {where} raised {type(exc).__name__}: {exc}")

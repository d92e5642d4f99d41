"""The README's quickstarts: the blocks marked ``<!-- quickstart: NAME -->``.

``<!-- quickstart: NAME -->`` marks a block every framework's quickstart shares (the proto,
``generate``, ``client.py``, the ``buf curl`` transcripts);
``<!-- quickstart-FRAMEWORK: NAME -->`` (``fastapi``, ``flask``, ``django``) one of that
framework's. A block named like a file (``server.py``, ``proto/...``, ``chatsite/urls.py``:
a name with a dot) is a file of the user's project, written as it is, or appended to the file
with ``<!-- quickstart-FRAMEWORK: append NAME -->``; any other is a step: a ``bash`` block of
command lines (``install``, ``serve``, ...), or a ``console`` block, a transcript of ``$``
commands each followed by the output it prints. The packaging tests run them as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
FRAMEWORKS = ("fastapi", "flask", "django")
PORT = 8000
"""The port the README's servers listen on, and its clients call."""

_BLOCK = re.compile(
    r"<!-- quickstart(?:-(?P<framework>[a-z]+))?: (?:(?P<append>append) )?(?P<name>\S+) -->\n"
    r"```(?P<lang>[\w-]*)\n(?P<body>.*?)```",
    re.S,
)


@dataclass(frozen=True)
class Block:
    """One marked block of the README.

    Attributes:
        name: Its name: a file's path in the project, or a step's name.
        body: Its text, as written.
        framework: The framework whose quickstart it belongs to; None when they all share it.
        lang: The block's language (``bash``, ``console``, ``python``, ...).
        append: True for a file's lines to append to that file rather than the whole file.
    """

    name: str
    body: str
    framework: str | None
    lang: str
    append: bool

    @property
    def is_file(self) -> bool:
        """True for a file of the user's project, False for a step of commands."""
        return "." in self.name


def all_blocks(readme: Path = README) -> list[Block]:
    """Every marked block of ``readme``, in the order they appear."""
    blocks = [
        Block(m["name"], m["body"], m["framework"], m["lang"], bool(m["append"]))
        for m in _BLOCK.finditer(readme.read_text())
    ]
    for block in blocks:
        assert block.framework in (None, *FRAMEWORKS), block
    return blocks


def quickstart_blocks(framework: str, readme: Path = README) -> dict[str, Block]:
    """The blocks of ``framework``'s quickstart by name: the shared ones and its own."""
    blocks: dict[str, Block] = {}
    for block in all_blocks(readme):
        if block.framework not in (None, framework):
            continue
        key = f"append {block.name}" if block.append else block.name
        assert key not in blocks, f"two {framework} quickstart blocks named {key} in {readme}"
        blocks[key] = block
    return blocks


def commands(block: Block) -> list[str]:
    """The command lines of a ``bash`` block (comments and blank lines left out)."""
    assert block.lang == "bash", block
    return [
        line.strip()
        for line in block.body.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def transcript(block: Block) -> list[tuple[str, str]]:
    """The commands of a ``console`` block, each with the output shown after it."""
    assert block.lang == "console", block
    steps: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"output before any command in {block.name}"
            steps[-1][1].append(line)
    return [(command, "\n".join(output)) for command, output in steps]


def on_port(text: str, port: int) -> str:
    """``text`` with the README's port replaced by ``port``."""
    return re.sub(rf"\b{PORT}\b", str(port), text)

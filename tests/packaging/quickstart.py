"""The README's quickstart: the blocks marked ``<!-- quickstart: NAME -->``.

A marked block is either a file of the user's project (``server.py``, ``proto/...``) or a
step of commands (``install``, ``generate``, ``serve``, ``call``); the packaging tests run
them as written.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"

_BLOCK = re.compile(r"<!-- quickstart: (?P<name>\S+) -->\n```[\w-]*\n(?P<body>.*?)```", re.S)


def quickstart_blocks(readme: Path = README) -> dict[str, str]:
    """The README's quickstart blocks by name, in the order they appear."""
    blocks: dict[str, str] = {}
    for match in _BLOCK.finditer(readme.read_text()):
        name = match["name"]
        assert name not in blocks, f"two quickstart blocks named {name} in {readme}"
        blocks[name] = match["body"]
    return blocks


def commands(block: str) -> list[str]:
    """The command lines of a shell block (comments and blank lines left out)."""
    return [
        line.strip()
        for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]

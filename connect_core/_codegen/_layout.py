"""Line layout for the generated code.

The generated modules are meant to be left alone by ``ruff format`` (line length 100), so
the few constructs that can outgrow a line are laid out here the way the formatter does it:

* a bracketed list goes on one line if it fits; else its items go together on one indented
  line; else one item per line with a trailing comma;
* an item that still does not fit is split at its own brackets (``Iterator[`` / argument /
  ``]``), or, for a union, before each ``|``;
* a return annotation that does not fit after ``) -> `` is split the same way, and a plain
  name is wrapped in parentheses if that makes it fit.
"""

from __future__ import annotations

LINE_LENGTH = 100
INDENT = "    "


def _fits(line: str) -> bool:
    return len(line) <= LINE_LENGTH


class Expr:
    """An expression that knows where the formatter may split it: a name, ``head[arg]``,
    or a union ``a | b``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.head = ""  # for a subscript
        self.arg: Expr | None = None  # for a subscript
        self.parts: tuple[Expr, ...] = ()  # for a union

    @classmethod
    def subscript(cls, head: str, arg: Expr) -> Expr:
        """``head[arg]``."""
        expr = cls(f"{head}[{arg.text}]")
        expr.head, expr.arg = head, arg
        return expr

    @classmethod
    def union(cls, *parts: Expr) -> Expr:
        """``parts[0] | parts[1] | ...``."""
        expr = cls(" | ".join(part.text for part in parts))
        expr.parts = parts
        return expr

    def lines(
        self, indent: str, prefix: str = "", suffix: str = "", *, parenthesize: bool = False
    ) -> list[str]:
        """Lay out ``prefix`` + this expression + ``suffix`` starting at ``indent``.

        With ``parenthesize`` (for return annotations), a plain name that does not fit goes
        into parentheses on a line of its own when that makes it fit.
        """
        flat = f"{indent}{prefix}{self.text}{suffix}"
        if _fits(flat):
            return [flat]
        if self.parts:
            out: list[str] = []
            last = len(self.parts) - 1
            for i, part in enumerate(self.parts):
                out += part.lines(indent, prefix if i == 0 else "| ", suffix if i == last else "")
            return out
        if self.arg is not None:
            return [
                f"{indent}{prefix}{self.head}[",
                *self.arg.lines(indent + INDENT),
                f"{indent}]{suffix}",
            ]
        if parenthesize and _fits(f"{indent}{INDENT}{self.text}"):
            return [f"{indent}{prefix}(", f"{indent}{INDENT}{self.text}", f"{indent}){suffix}"]
        return [flat]


Item = tuple[str, Expr]
"""One entry of a bracketed list: a prefix such as ``"request: "`` and an expression."""


def bracketed(indent: str, head: str, items: list[Item], tail: str) -> list[str]:
    """Lay out ``head`` + ``items`` joined by commas + ``tail``.

    ``head`` ends with the opening bracket and ``tail`` starts with the closing one, e.g.
    ``"return self._unary("`` and ``")"``.
    """
    flat = f"{indent}{head}{_join(items)}{tail}"
    if _fits(flat) or not items:
        return [flat]
    return [f"{indent}{head}", *_split(indent + INDENT, items), f"{indent}{tail}"]


def _join(items: list[Item]) -> str:
    return ", ".join(prefix + expr.text for prefix, expr in items)


def _split(indent: str, items: list[Item]) -> list[str]:
    hugged = f"{indent}{_join(items)}"
    if _fits(hugged):
        return [hugged]
    lines: list[str] = []
    for prefix, expr in items:
        lines += expr.lines(indent, prefix, ",")
    return lines


def signature(indent: str, keyword: str, name: str, params: list[Item], returns: Expr) -> list[str]:
    """A ``def`` line; ``keyword`` is ``"def "`` or ``"async def "``."""
    head = f"{indent}{keyword}{name}("
    flat = f"{head}{_join(params)}) -> {returns.text}:"
    if _fits(flat):
        return [flat]
    return [
        head,
        *_split(indent + INDENT, params),
        *returns.lines(indent, ") -> ", ":", parenthesize=True),
    ]


def docstring(indent: str, text: str) -> list[str]:
    """A docstring holding ``text`` (already escaped, lines without indentation)."""
    lines = text.split("\n")
    first = lines[0]
    if first.startswith('"'):
        first = " " + first
    if len(lines) == 1:
        if _ends_with_bare_quote(first):
            first += " "
        return [f'{indent}"""{first}"""']
    out = [f'{indent}"""{first}']
    out.extend(f"{indent}{line}" if line else "" for line in lines[1:])
    out.append(f'{indent}"""')
    return out


def _ends_with_bare_quote(text: str) -> bool:
    """Whether ``text`` ends with a ``"`` that no backslash escapes."""
    if not text.endswith('"'):
        return False
    body = text[:-1]
    return (len(body) - len(body.rstrip("\\"))) % 2 == 0

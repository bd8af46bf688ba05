"""The one error type the program language raises."""

import re


class ProgramError(ValueError):
    """A program that cannot run: says where (1-based line, 1-based column) and what to do instead."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None):
        self.message = message
        self.line = line
        self.col = col
        where = f"line {line}, column {col}: " if line is not None else ""
        super().__init__(where + message)


def at(node, message: str) -> ProgramError:
    """A ProgramError located at an ast node (ast columns are 0-based; ours are 1-based)."""
    line = getattr(node, "lineno", None)
    col = getattr(node, "col_offset", None)
    return ProgramError(message, line, None if col is None else col + 1)


def excerpt(source: str, error: ProgramError) -> str:
    """The offending line with a caret under the column, for showing under the message."""
    lines = source_lines(source)
    if error.line is None or not 1 <= error.line <= len(lines):
        return ""
    text = lines[error.line - 1]
    caret = " " * max(0, (error.col or 1) - 1) + "^"
    return f"{error.line:>3} | {text}\n    | {caret}"


def source_lines(source: str, keepends: bool = False) -> list[str]:
    """Lines as Python's tokenizer counts them (\n, \r\n, \r), not str.splitlines, which also breaks
    at Unicode separators such as U+2028 and would shift every line number after one."""
    if keepends:
        return re.split(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)", source)
    return re.split(r"\r\n|\r|\n", source)

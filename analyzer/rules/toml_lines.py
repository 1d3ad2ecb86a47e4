"""Reading TOML with line numbers: ``tomllib`` does not report where a key is, so errors find it in the text."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import RulesFileError

try:  # Python ≥ 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


class TomlLines:
    """Find line numbers of rules and keys in a TOML text (tomllib does not report them)."""

    _HDR = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []  # (line 1-based, name, is_array)
        for i, ln in enumerate(self.lines, 1):
            m = self._HDR.match(ln)
            if m and not ln.lstrip().startswith("#"):
                self.headers.append((i, m.group(1).strip(), ln.lstrip().startswith("[[")))

    def rule_block(self, k: int) -> tuple[int, int]:
        """Line span [first, last] of the k-th ``[[rule]]`` (0-based), sub-tables included."""
        starts = [h for h in self.headers if h[2] and h[1] == "rule"]
        if k >= len(starts):
            return (1, len(self.lines))
        first = starts[k][0]
        last = len(self.lines)
        for ln, name, is_arr in self.headers:
            if ln <= first:
                continue
            if (is_arr and name == "rule") or not name.startswith("rule."):
                last = ln - 1
                break
        return first, last

    def table_block(self, name: str) -> tuple[int, int]:
        for idx, (ln, nm, _arr) in enumerate(self.headers):
            if nm == name:
                nxt = self.headers[idx + 1][0] - 1 if idx + 1 < len(self.headers) else len(self.lines)
                return ln, nxt
        return (1, len(self.lines))

    def key_line(self, span: tuple[int, int], *keys: str) -> int:
        """First line in ``span`` assigning the deepest key found (``key =`` or ``key=`` inside an inline table)."""
        first, last = span
        for key in reversed(keys):
            pat = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=")
            for i in range(first, min(last, len(self.lines)) + 1):
                code = self.lines[i - 1].split("#", 1)[0]
                if pat.search(code):
                    return i
        return first


def read_toml(path: Path) -> tuple[dict, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesFileError(
            f"Rules file not found: {path}.", hint="Check the path, or omit it to use the built-in rules."
        ) from None
    except OSError as exc:
        raise RulesFileError(f"Cannot read rules file {path}: {exc.strerror or exc}.") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise RulesFileError(f"{path.name}: not valid TOML: {exc}.", hint="Fix the syntax at that line.") from None

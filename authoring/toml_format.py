"""TOML out (``dumps``) and TOML front matter in and out, for course content kept as files in git.

Python reads TOML (``tomllib``) but cannot write it, so ``dumps`` is a small, deterministic writer
for the values our content uses. Its contract is what makes "export, import, export" give
byte-identical files: ``tomllib.loads(dumps(d)) == d`` and ``dumps(tomllib.loads(dumps(d))) == dumps(d)``.

Layout rule: only the top level has sections, everything below it is written inline.

- a top-level dict is a table: a ``[name]`` header followed by its keys;
- a top-level non-empty list whose items are all dicts is an array of tables: one ``[[name]]``
  block per item;
- every other value is ``key = value``; a dict below the top level is an inline table
  ``{ a = 1, b = [1, 2] }`` (``{}`` when empty) and a list is an array ``[1, 2]`` (so a list of
  dicts below the top level is an array of inline tables);
- a table's array whose ``key = [...]`` line would be longer than ``LINE_LIMIT`` is written one item
  per line, each followed by a comma, so that adding or moving an item changes one line of a diff
  (arrays inside inline tables stay on one line: TOML wants an inline table on one line).

TOML wants a table's plain keys before any header, so the top level writes its ``key = value``
lines first and then its sections, each group in insertion order. tomllib reads them back in
that order, so writing what was read gives the same text again.
"""

import datetime as dt
import math
import re
import tomllib
from dataclasses import dataclass, field

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Characters TOML forbids in literal strings (tab is allowed). \r is among them, and tomllib would
# read a CRLF inside a multi-line string back as \n, so \r always takes the escaped form.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MUST_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t"}
_INT64 = range(-(2**63), 2**63)  # what every TOML reader must accept
LINE_LIMIT = 100  # characters of a `key = [...]` line; a longer array is written one item per line


def dumps(data: dict) -> str:
    """Write ``data`` as TOML text, one ``\\n``-terminated line at a time (``""`` for ``{}``).

    Supported: str, int (64-bit), finite float, bool, aware ``datetime`` (whole-minute offset),
    ``date``, list, and dict with str keys, nested freely. Raises TypeError for any other type
    (None included: TOML has no null, leave the key out) and ValueError for inf/nan, ints beyond
    64 bits and naive datetimes; both messages start with the key path, e.g. ``choices[1].text``.
    """
    if not isinstance(data, dict):
        raise TypeError(f"dumps() takes a dict, not {type(data).__name__}")
    items = list(_items(data, ""))
    lines = [_assignment(key, value, path) for key, value, path in items if not _is_section(value)]
    for key, value, path in items:
        if not _is_section(value):
            continue
        if lines:
            lines.append("")
        if isinstance(value, dict):
            lines.append(f"[{key}]")
            lines += [_assignment(k, v, p) for k, v, p in _items(value, path)]
            continue
        for index, table in enumerate(value):
            if index:
                lines.append("")
            lines.append(f"[[{key}]]")
            lines += [_assignment(k, v, p) for k, v, p in _items(table, f"{path}[{index}]")]
    return "".join(line + "\n" for line in lines)


def _assignment(key: str, value: object, path: str) -> str:
    """``key = value`` as one line, or as several for an array too long for one (see LINE_LIMIT)."""
    line = f"{key} = {_value(value, path)}"
    if len(line) <= LINE_LIMIT or not isinstance(value, list):
        return line
    items = "".join(f"    {_value(item, f'{path}[{i}]')},\n" for i, item in enumerate(value))
    return f"{key} = [\n{items}]"


def _is_section(value: object) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)
    )


def _items(table: dict, path: str):
    """Yield (key as written, value, key path) for each entry of ``table``."""
    for key, value in table.items():
        if not isinstance(key, str):
            raise TypeError(f"{path or '<top level>'}: keys must be str, not {type(key).__name__} ({key!r})")
        yield _key(key), value, f"{path}.{key}" if path else key


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _basic_string(key)


def _value(value: object, path: str) -> str:
    # bool before int and datetime before date: each is a subclass of the other.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value not in _INT64:
            raise ValueError(f"{path}: {value} does not fit TOML's 64-bit integers")
        return int.__repr__(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path}: {value} is not stored (TOML could, but our content never holds inf or nan)")
        # The shortest text that reads back as the same float; it always has a '.' or an 'e',
        # so TOML reads a float (1.0, -0.0, 1e-300). float.__repr__ keeps numpy's repr out.
        return float.__repr__(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime):
        offset = value.utcoffset()
        if offset is None:
            raise ValueError(f"{path}: naive datetime {value}; give it a time zone")
        if offset % dt.timedelta(minutes=1):
            raise ValueError(f"{path}: UTC offset {offset} is not whole minutes, which TOML cannot write")
        return value.isoformat()  # RFC 3339: 2026-09-01T10:00:00+02:00
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(item, f"{path}[{i}]") for i, item in enumerate(value)) + "]"
    if isinstance(value, dict):
        pairs = [f"{k} = {_value(v, p)}" for k, v, p in _items(value, path)]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    hint = " (TOML has no null: leave the key out)" if value is None else ""
    raise TypeError(f"{path}: TOML cannot store {type(value).__name__}{hint}")


def _string(text: str) -> str:
    """The most as-typed form TOML allows: backslashes (LaTeX) are doubled only when no literal form fits."""
    if "\n" not in text and not _CONTROL.search(text):
        if "'" not in text:
            return f"'{text}'"
        if '"' not in text and "\\" not in text:
            return f'"{text}"'  # "it's": a basic string, but one with nothing to escape
    if "'''" not in text and not _CONTROL_BUT_NEWLINE.search(text):
        # TOML drops a newline right after the opening ''', so multi-line text starts on its own line.
        # Text may end in one or two quotes: TOML reads the last three of a run of quotes as the end.
        return "'''\n" + text + "'''" if "\n" in text else "'''" + text + "'''"
    return _basic_string(text)


def _basic_string(text: str) -> str:
    """A one-line "..." string; control characters other than \\n and \\t as \\uXXXX, so they show."""
    return '"' + _MUST_ESCAPE.sub(lambda m: _SHORT_ESCAPES.get(m[0]) or f"\\u{ord(m[0]):04X}", text) + '"'


# --- Front matter: a Markdown file that starts with TOML between two '+++' lines (Hugo style) ---


class FrontMatterError(Exception):
    """The front matter is missing, unclosed or not valid TOML; ``line`` is 1-based in the file."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class FrontMatter:
    """A split file: ``data`` (the parsed TOML), ``body`` (the Markdown after the closing '+++' line,
    exactly as in the file), ``body_line`` (1-based file line where the body starts) and
    ``toml_text`` (the text between the '+++' lines; its first line is line 2 of the file)."""

    data: dict
    body: str
    body_line: int
    toml_text: str = field(default="", repr=False)

    def key_line(self, path: str) -> int | None:
        """The 1-based file line that defines ``path``, or None when the front matter has no such line.

        ``"hint"``: a top-level key, or the first ``[hint]`` / ``[[hint]]`` header;
        ``"choices[1]"``: the header of the second ``[[choices]]`` block (0-based index);
        ``"choices[1].text"``: the ``text`` key in that block; ``"config.activation"``: a key in ``[config]``.
        Only lines written as ``key = ...`` or headers count, not keys inside inline tables or dotted keys.
        """
        match = re.fullmatch(r"([^.\[\]]+)(?:\[(\d+)\])?(?:\.(.+))?", path)
        if match is None:
            return None
        name, index, key = match.groups()
        name = _key(name)
        if index is None and key is None:
            wanted_section, wanted_key = None, name
        else:
            wanted_section, wanted_key = (name, None if index is None else int(index)), key and _key(key)
        section, blocks = None, {}
        lines = self.toml_text.split("\n")
        for number, (line, outside) in enumerate(zip(lines, _statement_starts(lines), strict=True), start=2):
            if not outside:
                continue
            header = re.match(r"\s*(\[\[?)\s*([^\]]+?)\s*\]", line)
            if header:
                label = header[2]
                if header[1] == "[[":
                    section = (label, blocks.get(label, 0))
                    blocks[label] = section[1] + 1
                else:
                    section = (label, None)
                if wanted_key is None and section == wanted_section:
                    return number  # "choices[1]"
                if wanted_section is None and label == wanted_key:
                    return number  # "config": the table's header
            elif wanted_key and section == wanted_section and re.match(rf"\s*{re.escape(wanted_key)}\s*=", line):
                return number
        return None


# Outside a string: a multi-line opener, a comment, a one-line string, other text, or a stray quote.
_OUTSIDE_TOKEN = re.compile(r"""(?P<open>'''|\"\"\")|\#.*|'[^']*'|"(?:\\.|[^"\\])*"|(?P<code>[^#'"]+)|.""")
# Inside a multi-line string: up to and including the closing delimiter (the last three of 3-5 quotes).
_CLOSING = {"'''": re.compile(r".*?'{3,5}"), '"""': re.compile(r'(?:\\.|[^\\])*?"{3,5}')}


def _statement_starts(lines: list[str]) -> list[bool]:
    """Per line: whether it starts a statement (a key, a header or '+++'), not inside a multi-line string or array.

    A lexer for TOML strings, comments and brackets only; enough that ``x = 1`` or ``+++`` inside a hint,
    or ``[1, 2],`` inside a multi-line array, is not taken for a key, the front matter's end or a header.
    """
    flags, open_delimiter, depth = [], None, 0
    for line in lines:
        flags.append(open_delimiter is None and depth == 0)
        position = 0
        while position < len(line):
            if open_delimiter:
                closing = _CLOSING[open_delimiter].match(line, position)
                if closing is None:
                    break  # the string goes on to the next line
                open_delimiter, position = None, closing.end()
            else:
                token = _OUTSIDE_TOKEN.match(line, position)
                open_delimiter, position = token["open"], token.end()
                if token["code"]:  # a header's brackets close on its own line; a value's may not
                    depth += sum(token[0].count(c) for c in "[{") - sum(token[0].count(c) for c in "]}")
    return flags


def split_front_matter(text: str) -> FrontMatter:
    """Split a file into its TOML front matter and Markdown body. Raises FrontMatterError (with the file line)
    when the first line is not '+++', when no closing '+++' line follows, or when the TOML is invalid."""
    lines = text.split("\n")
    if lines[0].rstrip() != "+++":
        raise FrontMatterError("the file must start with a '+++' line, the start of its TOML front matter", 1)
    rest = lines[1:]  # rest[i] is file line i + 2
    delimiters = [i for i, line in enumerate(rest) if line.rstrip() == "+++"]
    outside = _statement_starts(rest)
    # A '+++' line inside a multi-line string is text. If none is outside one (an unclosed string, say),
    # take the first anyway, so that tomllib reports the real problem.
    close = next((i for i in delimiters if outside[i]), delimiters[0] if delimiters else None)
    if close is None:
        raise FrontMatterError("the front matter opened on line 1 has no closing '+++' line", 1)
    toml_text = "".join(line + "\n" for line in rest[:close])
    try:
        data = tomllib.loads(toml_text)
    except tomllib.TOMLDecodeError as error:
        raise _error_in_file(str(error), closing_line=close + 2) from None
    return FrontMatter(data=data, body="\n".join(rest[close + 1 :]), body_line=close + 3, toml_text=toml_text)


def _error_in_file(message: str, closing_line: int) -> FrontMatterError:
    """tomllib counts lines from the front matter's first line, which is file line 2."""
    at = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if at is None:  # "(at end of document)": the front matter ends at the closing '+++'
        return FrontMatterError(
            message.replace("end of document", f"line {closing_line}, the closing '+++'"), closing_line
        )
    line = int(at[1]) + 1
    return FrontMatterError(f"{message[: at.start()]}(at line {line}, column {at[2]}){message[at.end() :]}", line)


def join_front_matter(data: dict, body: str) -> str:
    """``+++``, ``dumps(data)``, ``+++``, then ``body`` ending in exactly one newline (nothing if it is empty)."""
    body = body.rstrip("\n")
    return "+++\n" + dumps(data) + "+++\n" + (body + "\n" if body else "")

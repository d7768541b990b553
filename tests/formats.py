"""What each file of a rendered project says, read the way its format's own tools read it.

view() turns a file into plain data: parsed TOML, JSON, YAML (plus its comment lines, which the
parser drops) and XML (comments kept); Python's syntax tree; Markdown's tokens as a CommonMark
parser renders them; Java and Scala source with every string literal decoded; any other file as
its text. A file that does not parse raises. Views, not bytes, are what a test compares to say
"the text appears as typed, escaped as the format requires": an escape is invisible in a view,
a missing one is not.
"""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import tomllib
import yaml
from markdown_it import MarkdownIt

# CommonMark plus the two GitHub extensions that change how plain text reads.
MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def view(path: Path) -> object:
    """The file's content as its format's parser sees it."""
    text = path.read_text(encoding="utf-8")
    name = path.name
    if name.endswith(".py"):
        return _python(ast.parse(text, str(path)))
    if name.endswith(".toml"):
        return tomllib.loads(text)
    if name.endswith(".json"):
        return json.loads(text)
    if name.endswith((".yml", ".yaml")):
        comments = [line.strip() for line in text.splitlines() if line.lstrip().startswith("#")]
        return list(yaml.safe_load_all(text)), comments
    if name.endswith(".xml"):
        parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True, insert_pis=True))
        return _xml(ET.fromstring(text, parser))
    if name.endswith(".md"):
        return [_markdown(token) for token in MARKDOWN.parse(text)]
    if name.endswith((".java", ".scala")):
        return jvm_tokens(text)
    if name == "Makefile" or name.endswith(".mk"):
        return make_tokens(text)
    return text


def substituted(data: object, values: dict[str, str]) -> object:
    """data with every occurrence of each key of `values` replaced by its value, in every string
    (dictionary keys included); longer keys win where keys overlap."""
    if not values:
        return data
    pattern = re.compile("|".join(map(re.escape, sorted(values, key=len, reverse=True))))

    def walk(item):
        if isinstance(item, str):
            return pattern.sub(lambda match: values[match[0]], item)
        if isinstance(item, dict):
            return {walk(key): walk(value) for key, value in item.items()}
        if isinstance(item, (list, tuple)):
            return type(item)(walk(value) for value in item)
        return item

    return walk(data)


def first_difference(expected: object, actual: object, where: str = "") -> str | None:
    """Where two views first differ, as 'path: expected != actual', or None."""
    if type(expected) is not type(actual):
        return f"{where}: {expected!r:.300} != {actual!r:.300}"
    if isinstance(expected, dict):
        for key in expected.keys() | actual.keys():
            found = first_difference(expected.get(key), actual.get(key), f"{where}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(expected, (list, tuple)):
        for index, (one, other) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(one, other, f"{where}[{index}]")
            if found:
                return found
        if len(expected) != len(actual):
            return f"{where}: {len(expected)} items != {len(actual)} items"
        return None
    return None if expected == actual else f"{where}: {expected!r:.300} != {actual!r:.300}"


def _python(tree: ast.AST) -> list:
    """A syntax tree as a flat list, node by node breadth first: its type, then each field's
    value, or the length of a list of nodes (so the list fixes the tree); no positions."""
    flat = []
    for node in ast.walk(tree):
        flat.append(type(node).__name__)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                flat.append(len(value))
            elif not isinstance(value, ast.AST):
                flat.append(value)
    return flat


def _xml(element: ET.Element) -> tuple:
    tag = element.tag if isinstance(element.tag, str) else element.tag.__name__  # Comment, PI
    return (tag, sorted(element.attrib.items()), element.text, element.tail,
            [_xml(child) for child in element])


def _markdown(token) -> tuple:
    """A block token; an inline token is its rendered children (text after escapes), not its
    source."""
    if token.type == "inline":
        return ("inline", [(child.type, child.tag, sorted((child.attrs or {}).items()),
                            child.content) for child in token.children])
    return (token.type, token.tag, sorted((token.attrs or {}).items()), token.info, token.content)


# make expands $(NAME), ${NAME} and $X in values and recipes, not in comments; $$ is a $.
MAKE_REFERENCE = re.compile(r"\$\$|\$\([^)]*\)|\$\{[^}]*\}|\$.", re.S)
MAKE_COMMENT = re.compile(r"(?<!\\)#.*", re.S)


def make_tokens(text: str) -> list[tuple[str, str]]:
    """A makefile as make reads it: literal text, variable references and comments (a recipe
    line, which starts with a tab, goes to the shell whole)."""
    tokens, literal = [], ""
    for line in text.splitlines(keepends=True):
        comment = None if line.startswith("\t") else MAKE_COMMENT.search(line)
        code = line[:comment.start()] if comment else line
        position = 0
        for match in MAKE_REFERENCE.finditer(code):
            literal += code[position:match.start()]
            position = match.end()
            if match[0] == "$$":
                literal += "$"
            else:
                tokens += [("text", literal), ("reference", match[0])]
                literal = ""
        literal += code[position:]
        if comment:
            tokens += [("text", literal), ("comment", comment[0])]
            literal = ""
    return [*tokens, ("text", literal)]


# Java and Scala source: comments, text blocks / multi-line strings (kept raw: no text of ours
# goes there), string and char literals, and a quote that opens no well-formed literal.
JVM_TOKEN = re.compile(r'''
    (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<block>""".*?""")
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\.)')
  | (?P<broken>")
''', re.S | re.X)
JVM_ESCAPE = re.compile(r"\\(?:u+([0-9a-fA-F]{4})|([0-7]{1,3})|(.))", re.S)
JVM_SIMPLE = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "s": " ", '"': '"',
              "'": "'", "\\": "\\"}


def jvm_tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) for the code between literals and for each literal, strings decoded."""
    tokens, position = [], 0
    for match in JVM_TOKEN.finditer(text):
        if match.start() > position:
            tokens.append(("code", text[position:match.start()]))
        kind = match.lastgroup
        if kind == "broken":
            line = text.count("\n", 0, match.start()) + 1
            raise ValueError(f"line {line}: a quote that starts no well-formed string literal")
        tokens.append(("string", jvm_string(match[0])) if kind == "string" else (kind, match[0]))
        position = match.end()
    tokens.append(("code", text[position:]))
    return tokens


def jvm_string(literal: str) -> str:
    """A Java/Scala string literal's value: escapes decoded, UTF-16 surrogate pairs joined."""
    def decode(match):
        unicode, octal, simple = match.groups()
        if unicode:
            return chr(int(unicode, 16))
        if octal:
            return chr(int(octal, 8))
        if simple in JVM_SIMPLE:
            return JVM_SIMPLE[simple]
        raise ValueError(f"invalid escape \\{simple} in {literal}")

    value = JVM_ESCAPE.sub(decode, literal[1:-1])
    return value.encode("utf-16", "surrogatepass").decode("utf-16")

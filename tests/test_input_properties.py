"""Every text input under property-based testing: arbitrary text in, one of two outcomes out.

  Refused:  the first line is `ERROR: <field>=<value>: <rule>; e.g. <example>`, on one line, the
            value escaped when it holds a line break or control character; nothing left on disk.
  Rendered: every structured file parses, no template or pin token is left, the slug, package and
            Java package are valid, and the project reads exactly like a reference render with
            the typed text in place of the reference's (file by file, as each format's parser
            reads it: tests/formats.py). So the text is escaped where a format needs it and
            never altered.

The inputs come from cookiecutter.json: every answer whose default is text (not yes/no), so an
input added later is covered without a line here. Examples run through cookiecutter's Python API
without prompts, the hooks in their real subprocesses. `make test-fast` runs the bounded profile
(fixed examples); `make test-fuzz` the fuzz profile. A failure prints the exact
`cookiecutter --no-input ...` line that reproduces it.
"""

from __future__ import annotations

import keyword
import os
import re
import sys
from types import SimpleNamespace

import pytest
from cookiecutter.exceptions import FailedHookException, OutputDirExistsException
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from conftest import ROOT, TEMPLATE_JSON, load_hook
from formats import first_difference, substituted, view
from rendering import command_line, generated, recorded, views

pre = load_hook("pre_gen_project")
post = load_hook("post_gen_project")

settings.register_profile("bounded", max_examples=10, derandomize=True, deadline=None,
                          database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "400")),
                          deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "bounded"))

# Text inputs: public answers with a text default that is not a yes/no word. Derived ones (a
# Jinja default) are inputs too: a user may type them.
TEXT_INPUTS = [key for key, default in TEMPLATE_JSON.items()
               if not key.startswith("_") and isinstance(default, str)
               and default.lower() not in pre.BOOLEAN_WORDS]
DEPENDS_ON = {key: set(re.findall(r"cookiecutter\.(\w+)", default))
              for key, default in TEMPLATE_JSON.items() if isinstance(default, str)}


# What running kappa-local from the template's own local/ leaves there (the post-gen hook
# removes it from projects); not part of the template.
BUILD_OUTPUT = {"__pycache__", ".pytest_cache", ".ruff_cache", "kappa_local.egg-info"}


def template_texts() -> list[str]:
    """Every path of the template tree with its text, build output left out."""
    root = ROOT / "{{cookiecutter.project_slug}}"
    return [str(path) + (path.read_text(encoding="utf-8") if path.is_file() else "")
            for path in root.rglob("*") if not BUILD_OUTPUT & set(path.relative_to(root).parts)]


# The answers the template's files and paths use (others only feed a default).
USED_IN_TEMPLATE = {name for text in template_texts()
                    for name in re.findall(r"cookiecutter\.(\w+)", text)}


def derived_from(field: str) -> set[str]:
    """The field and every answer whose default is computed from it, directly or not."""
    found = {field}
    while grown := {key for key, uses in DEPENDS_ON.items() if uses & found} - found:
        found |= grown
    return found


# Both JVM variants are in every render: their sources and poms are where text must be escaped.
VARIANTS = {"include_java": "yes", "include_scala": "yes"}
# An input's reference render has the defaults and this value for the input, every answer
# derived from it left to derive: values found nowhere in the template (tested below), so that
# substituting them cannot hit template text. An input added later whose default is such a
# value needs no line here.
PLACEHOLDERS = {"project_name": "Qq Name", "project_slug": "qq-slug", "package_name": "qq_pkg",
                "java_package": "com.qqjava", "description": "Qq description",
                "author": "Qq Author", "kafka_brokers": "qq-broker:1234", "input_topic": "qq-in",
                "output_topic": "qq-out", "dlq_topic": "qq-dlq", "trigger": "4321 milliseconds"}


def chooses_content(field: str, value: str) -> bool:
    """An answer that picks template content rather than filling it in (the Spark line's pins;
    no dead-letter topic): a reference render cannot stand for it. tests/test_render.py covers
    those choices one by one."""
    return field == "spark_version" or (field == "dlq_topic" and value == "")


# ---- strategies: the full range of what people type -------------------------------------------

SCRIPTS = ["Привет мир", "日本語", "数据流", "한국어", "עברית", "العربية", "हिन्दी", "Ελληνικά",
           "ไทย", "Zoë's Straße", "Ærø Łódź", "İstanbul", "ǅemal"]
# Digits that are not ASCII: str.isdigit() and regex \d take them, int() takes most.
DIGITS = ["٣", "٠٩", "۴", "५", "９", "²", "¹⁰", "𝟗", "߉"]
EMOJI = ["🚀", "👩‍💻", "🇫🇷", "👍🏽", "❤️", "🏳️‍🌈", "𝔘𝔫𝔦"]
MARKS = ["\u0301", "e\u0301", "\u200f", "\u200e", "\u202e", "\u2066", "\u200b", "\u200d",
         "\ufeff", "\u00a0", "\u3000", "\ufffe", "\U0010ffff"]
# A byte that is not UTF-8 on the command line reaches Python as a lone surrogate ('\udce9').
CONTROLS = [chr(code) for code in range(0x20)] + ["\x7f", "\x85", "\x9b", "\u2028", "\u2029",
                                                  "\r\n", "\udce9"]
QUOTES = ['"', "'", "`", "\\", "\\n", "\\u0041", "\\x", "\\N", "’", "“", "”", '"""', "'''"]
# Metacharacters of each format the template writes, and of its own pin markers.
METACHARACTERS = [
    "=", "[", "]", "{", "}", "#", ".", "\\\"",                              # TOML, JSON
    "<", ">", "&", "&amp;", "]]>", "<!--", "-->", "<![CDATA[",              # XML
    ": ", " #", "- ", "? ", "|", "!", "*", "%", "@", "---", "...", "~",     # YAML
    "# ", "_", "**", "__", "[a](b)", "![x](y)", "<b>", "1. ", "2) ", "+ ", "> ",  # Markdown
    "```", "~~", "&copy;", "&#42;", "    ", "  ", "\\*", "<http://x.y>", "===",
    "$", "$(", "${HOME}", "`id`", ";", "&&", "$$", "$x", "\\\n", "\t",     # shell, make
    "@@", "@@SCALA_BINARY@@", "@@KAFKA_CONNECTOR@@", "@@NOT_A_MARKER@@",   # pin markers
]
# Words a parser reads as something else when they are a whole value (YAML 1.1, TOML, JSON).
KEYWORDS = ["null", "Null", "~", "true", "True", "false", "yes", "Yes", "no", "No", "on", "On",
            "off", "y", "n", "1e3", ".inf", "0x1F", "nan", "None"]
PIECES = st.one_of(st.sampled_from(SCRIPTS + DIGITS + EMOJI + MARKS + CONTROLS + QUOTES
                                   + METACHARACTERS + KEYWORDS),
                   st.characters(), st.text(max_size=6))
ARBITRARY = st.lists(PIECES, max_size=8).map("".join)

# cookiecutter renders answers as Jinja before any hook sees them (README: "Answers are Jinja");
# what that does is pinned by test_jinja_in_an_answer_is_evaluated_as_the_readme_says below.
JINJA = re.compile(r"\{[{%#]")


@st.composite
def near(draw, seed: str, pieces) -> str:
    """seed with a few spans replaced by pieces."""
    text = seed
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 3)))
        text = text[:start] + draw(pieces) + text[end:]
    return text


def values(field: str, seed: str):
    """Anything, and values near the default: with pieces from the list above, or shuffled in
    its own characters (mostly still valid, so the render itself is exercised)."""
    own = st.text(alphabet=sorted(set(seed)), max_size=3)
    strategy = st.one_of(ARBITRARY, st.sampled_from(KEYWORDS), near(seed, PIECES),
                         near(seed, own))
    strategy = strategy.filter(lambda value: not JINJA.search(value))
    if field == "project_slug":
        # The directory is made from the slug before any hook runs (README); an absolute or
        # '..' slug would touch the machine outside this test's directory.
        strategy = strategy.filter(lambda value: not (value.startswith("/") or ".." in value))
    return strategy


class References(dict):
    """Input -> its reference render, made on first use."""

    def __missing__(self, field: str) -> SimpleNamespace:
        placeholder = PLACEHOLDERS.get(field, TEMPLATE_JSON[field])
        with generated({**VARIANTS, field: placeholder}) as run:
            assert run.project, run.stdout
            answers = recorded(run.project)
            chain = [answers[key] for key in derived_from(field) & USED_IN_TEMPLATE]
            texts = {str(path.relative_to(run.project)): path.read_text(encoding="utf-8")
                     for path in run.project.rglob("*") if path.is_file()}
            # Only files that hold the input's text can read differently; the rest must be
            # byte for byte the same (as in the default render, where every file parses).
            touched = {name: view(run.project / name) for name, text in texts.items()
                       if any(value in name or value in text for value in chain)}
        self[field] = SimpleNamespace(answers=answers, texts=texts, views=touched)
        return self[field]

    def __repr__(self) -> str:  # Hypothesis prints a failing example's arguments
        return "<reference renders>"


@pytest.fixture(scope="module")
def references():
    return References()


# ---- the invariant ------------------------------------------------------------------------------

TOKENS = re.compile(r"\{\{ ?cookiecutter|\{%|\{#|" + post.MARKER.pattern)
SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
JAVA_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# Derived answers with a rule of their own, named in their own ERROR line (the dead-letter topic
# is '<output_topic>-dlq': a long output topic makes it break the topic rule). A slug, package
# or Java package derived from the name is not one of them: its ERROR line names project_name.
NAMED_AS_THEMSELVES = {"dlq_topic"}


def shown(value: str) -> str:
    """A value as an ERROR line shows it: as typed, or escaped when it would not print as one
    line of itself."""
    return value if value.isprintable() else repr(value)


def check_refused(run, field: str, parents_stay: bool = False) -> None:
    lines = run.stdout.splitlines()
    assert lines and lines[0].startswith("ERROR: "), f"no ERROR line first: {run.stdout[:500]!r}"
    named = lines[0].removeprefix("ERROR: ").partition("=")[0]
    assert named in {field} | derived_from(field) & NAMED_AS_THEMSELVES, \
        f"the ERROR line names {named}, not {field}: {lines[0]!r}"
    assert lines[0].startswith(f"ERROR: {named}={shown(run.passed[named])}: "), lines[0]
    assert "; e.g. " in lines[0] and lines[0].isprintable(), f"not one line: {lines[:2]!r}"
    assert len(lines) > 1 and lines[1].startswith("Retry"), f"the rule ran on: {lines[:2]!r}"
    left = [str(path.relative_to(run.out)) for path in run.out.rglob("*")
            if not (parents_stay and path.is_dir()
                    and not any(inner.is_file() for inner in path.rglob("*")))]
    assert left == [], f"left on disk: {left}"


def check_rendered(run, field: str, value: str, reference) -> None:
    project, answers = run.project, recorded(run.project)
    assert answers[field] == value, f"recorded {answers[field]!r}"
    changed = {key for key in answers if answers[key] != reference.answers.get(key)}
    assert changed <= derived_from(field), f"answers changed that derive from no {field}: {changed}"
    left = [f"{path.relative_to(project)}: {token}" for path in project.rglob("*")
            if path.is_file() for token in TOKENS.findall(path.read_text(encoding="utf-8"))]
    assert left == [], f"template tokens left: {left}"
    slug, package, java = answers["project_slug"], answers["package_name"], answers["java_package"]
    assert SLUG.fullmatch(slug) and len(slug) <= 64, f"invalid slug {slug!r}"
    assert (package.isidentifier() and package.isascii() and package.islower()
            and not keyword.iskeyword(package) and package not in sys.stdlib_module_names
            and package not in pre.TAKEN_PACKAGE_NAMES), f"invalid package {package!r}"
    assert all(JAVA_PART.fullmatch(part) and part not in pre.JAVA_RESERVED
               for part in java.split(".")), f"invalid Java package {java!r}"
    if any(chooses_content(key, answers[key]) for key in changed):
        views(project)  # every file parses
        return
    replace = {}
    for key in changed & USED_IN_TEMPLATE:
        was = reference.answers[key]
        assert replace.setdefault(was, answers[key]) == answers[key], f"ambiguous: {was!r}"
    names = {str(path.relative_to(project)) for path in project.rglob("*") if path.is_file()}
    expected = {substituted(name, replace) for name in reference.texts}
    assert expected == names, f"files differ: {sorted(expected ^ names)[:6]}"
    for name, text in reference.texts.items():
        if name == post.ANSWERS_FILE:  # compared answer by answer above
            continue
        path = project / substituted(name, replace)
        if name not in reference.views:
            assert path.read_text(encoding="utf-8") == text, f"{name} changed"
            continue
        try:
            actual = view(path)
        except Exception as error:
            raise AssertionError(f"{name} does not parse: {type(error).__name__}: {error}") \
                from None
        difference = first_difference(substituted(reference.views[name], replace), actual)
        assert difference is None, f"{name} reads differently from the reference: {difference}"


def check_made_by_cookiecutter(run, value: str) -> bool:
    """cookiecutter makes the project directory from project_slug before any hook runs
    (README): for a slug that is no single directory name, what it does is its own."""
    if value not in ("", ".") and "/" not in value and "\x00" not in value \
            and len(value.encode("utf-8", "surrogatepass")) <= 255:  # NAME_MAX
        return False
    if run.error is not None and not isinstance(run.error, FailedHookException):
        assert isinstance(run.error, (OutputDirExistsException, OSError, ValueError)), run.error
        assert list(run.out.iterdir()) == []
        return True
    check_refused(run, "project_slug", parents_stay="/" in value)
    return True


@pytest.fixture(scope="module")
def defaults():
    """Each answer's default as cookiecutter renders it (also the seeds to mutate)."""
    with generated(VARIANTS) as run:
        assert run.project, run.stdout
        views(run.project)  # every file parses
        return recorded(run.project)


@pytest.mark.parametrize("field", TEXT_INPUTS)
@given(data=st.data())
@PROFILE
def test_any_text_is_refused_in_one_line_or_rendered_as_typed(field, defaults, references,
                                                              data):
    value = data.draw(values(field, defaults[field]), label=field)
    answers = {**VARIANTS, field: value}
    line = command_line(answers)
    note(f"reproduce: {line}")
    with generated(answers) as run:
        try:
            if field == "project_slug" and check_made_by_cookiecutter(run, value):
                event("cookiecutter's own (the slug is no directory name)")
                return
            if run.project is not None:
                event("rendered")
                check_rendered(run, field, value, references[field])
            elif isinstance(run.error, FailedHookException):
                event("refused")
                check_refused(run, field)
            else:
                raise AssertionError(f"cookiecutter failed: {type(run.error).__name__}: "
                                     f"{run.error}; output: {run.stdout[:300]!r}")
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n  reproduce: {line}") from None


# ---- what the property leans on, and what cookiecutter does before any hook (README) -----------

@pytest.mark.parametrize("field", TEXT_INPUTS)
def test_the_reference_values_are_found_nowhere_in_the_template(field, references):
    """Substituting a reference value can only hit text that came from an answer."""
    template = template_texts()
    answers = references[field].answers
    values = {key: answers[key] for key in derived_from(field) & USED_IN_TEMPLATE
              if not chooses_content(key, answers[key])}

    assert {key: value for key, value in values.items()
            if any(value in text for text in template)} == {}


def test_jinja_in_an_answer_is_evaluated_as_the_readme_says():
    with generated({"description": "{# gone #}{{ 6 * 7 }} answers"}) as run:
        assert run.project, run.stdout
        assert recorded(run.project)["description"] == "42 answers"
    with generated({"description": "{{ unclosed"}) as run:
        assert type(run.error).__name__ == "TemplateSyntaxError"
        assert run.stdout == "" and list(run.out.iterdir()) == []


@pytest.mark.parametrize("slug, error", [("", OutputDirExistsException),
                                         (".", OutputDirExistsException),
                                         ("a/b", FailedHookException)])
def test_a_slug_that_is_no_directory_name_meets_cookiecutter_first_as_the_readme_says(slug, error):
    with generated({"project_slug": slug}) as run:
        assert isinstance(run.error, error)
        assert check_made_by_cookiecutter(run, slug)
        assert [str(p.relative_to(run.out)) for p in run.out.rglob("*")] == (
            ["a"] if "/" in slug else [])

{#- The description exactly as typed: --help shows it (config.py). Escaped for a Python string;
    one line, so pyproject.toml lets this file's lines run long. -#}
"""{{ cookiecutter.description | replace('\\', '\\\\') | replace('"', '\\"') }}"""

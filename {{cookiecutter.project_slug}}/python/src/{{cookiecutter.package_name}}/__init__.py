"""{{ cookiecutter.description | wordwrap(90) }}"""

"""Entry file for spark-submit, which runs a file rather than a module:

    spark-submit --py-files build/{{ cookiecutter.package_name }}.zip python/main.py [flags]
"""

import sys

from {{ cookiecutter.package_name }}.app import main

sys.exit(main(sys.argv[1:]))

"""The one place Saytype's version is written.

pyproject.toml reads it (``[tool.setuptools.dynamic]``) without importing the
package, and a frozen bundle knows it without any installed metadata.
"""

__version__ = "0.2.0"

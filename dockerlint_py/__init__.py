"""dockerlint-py: lint Dockerfiles together with the Python dependencies they install."""

__version__ = "0.1.0"

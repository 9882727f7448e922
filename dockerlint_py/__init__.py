"""dockerlint-py: lint Dockerfiles together with the Python dependencies they install."""

__version__ = "0.1.0"

# Where the project and its rule documentation live (SARIF informationUri / helpUri).
HOMEPAGE = "https://github.com/dockerlint-py/dockerlint-py"
RULE_DOC_URL = HOMEPAGE + "/blob/main/docs/rules/{code}.md"

"""OS package model: installs, virtual groups, removals, ancestors, option placement."""

from dockerlint_py.model.dockerfile import parse_dockerfile
from dockerlint_py.analysis.ospkg import os_packages
from dockerlint_py.model.resolve import resolve


def stages(text):
    return resolve(parse_dockerfile(text, "Dockerfile")).stages


def test_virtual_group_and_removal():
    (st,) = stages("FROM alpine:3.20\nRUN apk add --no-cache libpq && apk add --virtual .b gcc postgresql-dev && echo && apk del .b\n")
    ins = st.instructions[0]
    pk = os_packages(st)
    assert {"libpq", "gcc", "postgresql-dev"} <= pk.installed_at(ins.index, 2)
    assert pk.explicit_at_end() == {"libpq"}


def test_options_before_subcommand_and_versions():
    (st,) = stages("FROM alpine:3.20\nRUN apk --update --no-cache add gcc=13.2.1-r0 musl-dev\n")
    assert os_packages(st).explicit_at_end() == {"gcc", "musl-dev"}


def test_apt_purge_and_ancestors():
    base, app = stages(
        "FROM debian:bookworm-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev\n"
        "FROM base\nRUN apt-get purge -y --auto-remove gcc\n"
    )
    assert os_packages(app).explicit_at_end() == {"libpq-dev"}
    assert "gcc" in os_packages(app).installed_at(app.instructions[0].index, 0)
    assert [e.auto_remove for e in os_packages(app).removed_after(app.instructions[0].index, -1)] == [True]

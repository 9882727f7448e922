"""``Record`` (the run-time stand-in for ``typing.NamedTuple``) against ``collections.namedtuple``."""

from __future__ import annotations

import collections
import copy
import pickle
from typing import Optional

import pytest

from dockerlint_py._record import Record


class Point(Record):
    """A documented record."""

    x: int
    y: str
    z: Optional[int] = None
    w: str = "w"

    def total(self) -> int:
        return self.x + (self.z or 0)

    @property
    def label(self) -> str:
        return f"{self.y}{self.x}"


class One(Record):
    only: int


Oracle = collections.namedtuple("Point", "x y z w", defaults=(None, "w"))
CALLS = [
    ((1, "a"), {}),
    ((1,), {"y": "b"}),
    ((), {"x": 2, "y": "c", "w": "q"}),
    ((1, "a", 3, "d"), {}),
    ((1, "a", 3), {"w": "e"}),
]
BAD_CALLS = [((), {}), ((1,), {}), ((1, "a", 3, "d", 5), {}), ((1, "a"), {"v": 1}), ((1, "a"), {"x": 1})]


@pytest.mark.parametrize("args,kwargs", CALLS)
def test_construction_matches_namedtuple(args, kwargs):
    got, want = Point(*args, **kwargs), Oracle(*args, **kwargs)
    assert tuple(got) == tuple(want)
    assert got == want and hash(got) == hash(want)
    assert got._asdict() == want._asdict()
    assert repr(got) == repr(want)
    assert (got.x, got.y, got.z, got.w) == (want.x, want.y, want.z, want.w)
    assert got._replace(x=9, w="r") == want._replace(x=9, w="r")
    assert type(got._replace(x=9)) is Point


@pytest.mark.parametrize("args,kwargs", BAD_CALLS)
def test_bad_construction_raises_like_namedtuple(args, kwargs):
    with pytest.raises(TypeError):
        Oracle(*args, **kwargs)
    with pytest.raises(TypeError):
        Point(*args, **kwargs)


def test_class_attributes_and_methods():
    assert Point._fields == Oracle._fields == ("x", "y", "z", "w")
    assert Point._field_defaults == Oracle._field_defaults
    assert Point.__match_args__ == Point._fields
    assert Point.__doc__ == "A documented record."
    assert Point.__module__ == __name__ and Point.__qualname__ == "Point"
    p = Point(1, "a", 2)
    assert p.total() == 3 and p.label == "a1"
    assert isinstance(p, tuple) and not hasattr(p, "__dict__")
    with pytest.raises(AttributeError):
        p.x = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        p.other = 5  # type: ignore[attr-defined]
    assert Point._make([1, "a", None, "w"]) == Point(1, "a")
    with pytest.raises(TypeError):
        Point._make([1, "a"])
    with pytest.raises(ValueError):
        p._replace(v=1)  # type: ignore[call-arg]
    x, y, *_ = p
    assert (x, y) == (1, "a")


def test_single_field_and_copies():
    one = One(5)
    assert tuple(one) == (5,) and one.only == 5 and One(only=6).only == 6
    for value in (Point(1, "a", 3), one):
        assert pickle.loads(pickle.dumps(value)) == value
        assert type(pickle.loads(pickle.dumps(value))) is type(value)
        assert copy.copy(value) == value and copy.deepcopy(value) == value


def test_definition_errors_match_namedtuple():
    with pytest.raises(TypeError):

        class Bad(Record):  # a field without a default after one with a default
            a: int = 1
            b: int

    with pytest.raises(AttributeError):

        class Reserved(Record):
            a: int

            def _make(self):  # type: ignore[override]
                return None

"""``Record``: ``typing.NamedTuple`` for the type checker, a cheaper class factory at run time.

Every model type is an immutable named tuple. ``typing.NamedTuple`` builds each class through
``collections.namedtuple``, which compiles a constructor from source text with ``eval`` and
builds documentation strings per field: about 70-130 µs a class, and start-up defines ~60 of
them (several milliseconds of every pre-commit run). ``Record`` makes the same class
(a ``tuple`` subclass with ``__slots__ = ()``, field getters, ``_fields``, ``_field_defaults``,
``_make``, ``_replace``, ``_asdict``, ``__repr__``, ``__match_args__``, ``__getnewargs__``,
methods and properties of the class body) in ~10 µs: the constructor's code object is compiled
once per field count and renamed per class with ``code.replace``.

Written as ``class Word(Record): value: str ...``, exactly like a ``NamedTuple``; mypy sees
``typing.NamedTuple``. ``tests/test_record.py`` holds it to ``collections.namedtuple``
(construction by position and keyword, defaults, errors, equality, hashing, pickling,
``_replace``/``_asdict``/``_make``, ``repr``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Tuple

__all__ = ["Record"]

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    try:
        from _collections import _tuplegetter
    except ImportError:  # other interpreters: a property does the same

        def _tuplegetter(index, doc):
            from operator import itemgetter

            return property(itemgetter(index), doc=doc)

    _tuple_new = tuple.__new__
    _TEMPLATES: Dict[int, Any] = {}

    def _constructor(name: str, fields: Tuple[str, ...], defaults: Tuple[Any, ...]):
        """``def __new__(_cls, <fields>): return _tuple_new(_cls, (<fields>))`` for this class."""
        n = len(fields)
        template = _TEMPLATES.get(n)
        if template is None:
            params = ", ".join(f"_{i}" for i in range(n))
            namespace = {"_tuple_new": _tuple_new}
            exec(f"def __new__(_cls, {params}):\n    return _tuple_new(_cls, ({params}{',' if n == 1 else ''}))\n", namespace)
            template = _TEMPLATES[n] = namespace["__new__"]
        code = template.__code__
        changes: Dict[str, Any] = {"co_varnames": ("_cls",) + fields + code.co_varnames[n + 1 :]}
        if hasattr(code, "co_qualname"):  # Python >= 3.11
            changes["co_qualname"] = f"{name}.__new__"
        code = code.replace(**changes)
        fn = type(template)(code, template.__globals__, "__new__", defaults or None)
        fn.__qualname__ = f"{name}.__new__"
        fn.__doc__ = f"Create new instance of {name}({', '.join(fields)})"
        return fn

    class _RecordBase(tuple):
        """The methods every record shares (``collections.namedtuple``'s, written once)."""

        __slots__ = ()
        _fields: Tuple[str, ...] = ()
        _field_defaults: Dict[str, Any] = {}

        @classmethod
        def _make(cls, iterable):
            result = _tuple_new(cls, iterable)
            if len(result) != len(cls._fields):
                raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(result)}")
            return result

        def _replace(self, /, **kwds):
            result = self._make(map(kwds.pop, self._fields, self))
            if kwds:
                raise ValueError(f"Got unexpected field names: {list(kwds)!r}")
            return result

        def _asdict(self):
            return dict(zip(self._fields, self))

        def __repr__(self):
            return f"{type(self).__name__}({', '.join(f'{f}={v!r}' for f, v in zip(self._fields, self))})"

        def __getnewargs__(self):
            return tuple(self)

    _RESERVED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_make", "_fields", "_field_defaults", "_source"})

    class _RecordMeta(type):
        def __new__(mcls, name, bases, ns):
            if ns.get("_root"):
                return super().__new__(mcls, name, (), {k: v for k, v in ns.items() if k != "_root"})
            fields = tuple(ns.get("__annotations__", {}))
            defaults = []
            for f in fields:
                if f in ns:
                    defaults.append(ns[f])
                elif defaults:
                    raise TypeError(f"Non-default record field {f} cannot follow default field(s) {', '.join(fields[len(fields) - len(defaults) - 1 :][:-1])}")
            for key in ns:
                if key in _RESERVED:
                    raise AttributeError(f"Cannot overwrite record attribute {key}")
            body = {k: v for k, v in ns.items() if k not in fields}
            body.update(
                __slots__=(),
                _fields=fields,
                _field_defaults=dict(zip(fields[len(fields) - len(defaults) :], defaults)),
                __match_args__=fields,
                __new__=_constructor(name, fields, tuple(defaults)),
            )
            body.setdefault("__doc__", f"{name}({', '.join(fields)})")
            for i, f in enumerate(fields):
                body[f] = _tuplegetter(i, f"Alias for field number {i}")
            return type.__new__(type, name, (_RecordBase,), body)

    class Record(metaclass=_RecordMeta):
        """Subclass it like ``typing.NamedTuple``: annotated fields, defaults, methods."""

        _root = True

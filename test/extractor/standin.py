"""Inert stand-ins for third-party packages a corpus project imports but the Python at hand
lacks, limited to packages that register no routes (named per project, never guessed).

Any attribute is another stand-in; calling one with a lone function or class (a decorator)
returns it unchanged, any other call gives a stand-in; used as a base class it adds nothing.
A package the project needs for its routes cannot hide behind this: its routers would be
stand-ins, which FastAPI refuses to include, so the project's import fails and is reported.
"""
import importlib.abc
import importlib.machinery
import sys
import types


class StandIn:
    def __init__(self, name="stand-in"):
        self._name = name

    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return StandIn(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and (isinstance(args[0], type) or callable(args[0])) and not isinstance(args[0], StandIn):
            return args[0]
        return StandIn(f"{self._name}()")

    def __mro_entries__(self, bases):
        return (object,)

    def __getitem__(self, key):
        return StandIn(f"{self._name}[]")

    def __iter__(self):
        return iter(())

    def __bool__(self):
        return False

    def __or__(self, other):
        return other

    def __ror__(self, other):
        return other

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        return f"<stand-in {self._name}>"


class StandInModule(types.ModuleType):
    def __getattr__(self, attr):
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        return StandIn(f"{self.__name__}.{attr}")


class StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the named top-level packages (and anything under them) as stand-ins, only when no real one is installed."""

    def __init__(self, names):
        self.names = set(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] not in self.names:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        module = StandInModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass

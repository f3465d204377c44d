"""Patches a standard module right after it is first imported, so a program
that never uses multiprocessing or concurrent.futures never imports them."""

import sys


class _PatchingLoader(object):
    def __init__(self, loader, patch):
        self._loader = loader
        self._patch = patch

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        # The module's loader is the real one again (inspect, reload, pkgutil).
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._patch(module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class PatchOnImport(object):
    """A meta path finder that finds nothing itself: it wraps the real
    loader of the modules it has patches for."""

    def __init__(self, patches):
        self._patches = patches

    def find_spec(self, name, path=None, target=None):
        patch = self._patches.pop(name, None)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None

    def invalidate_caches(self):
        pass


def patch_on_import(patches):
    """``patches``: module name -> function(module). Modules already imported
    are patched at once."""
    pending = {}
    for name, patch in patches.items():
        module = sys.modules.get(name)
        if module is not None:
            patch(module)
        else:
            pending[name] = patch
    if pending:
        sys.meta_path.insert(0, PatchOnImport(pending))

"""Neural-network building blocks of Ember ML.

``tensor`` (the tensor layer, which ``ember_ml.ops`` uses) is imported with the package; the
other subpackages (``modules``, ``container``, ``features``, ``initializers``, ``utils``) on
first access, so that importing ``ember_ml.ops`` does not import the Modules.
"""
from ember_ml._lazy import lazy_submodules
from ember_ml.nn import tensor

__getattr__, __dir__ = lazy_submodules(__name__, ("container", "features", "initializers", "modules", "utils"),
                                       globals())

__all__ = ["tensor", "features", "initializers", "modules", "container", "utils"]

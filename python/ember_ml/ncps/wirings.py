"""``ncps.wirings`` under :mod:`ember_ml.ncps`: the classes of :mod:`ember_ml.wirings` (the same objects)."""
from ember_ml.wirings import NCP, AutoNCP, FullyConnected, Random, Wiring

__all__ = ["Wiring", "FullyConnected", "Random", "NCP", "AutoNCP"]

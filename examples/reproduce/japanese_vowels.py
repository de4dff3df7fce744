"""JapaneseVowels (UEA) speaker classification with CfC classifiers (un-wired and AutoNCP), in Ember ML.

Run from the repository root::

    python examples/reproduce/japanese_vowels.py --models cfc cfc-ncp --seeds 0 1 2 3 4
    python examples/reproduce/japanese_vowels.py --quick

Data: the UEA archive's JapaneseVowels ``.ts`` files shipped inside the ``sktime`` wheel
(270 training / 370 test utterances, 12 LPC cepstra per frame, 7 to 29 frames, 9 speakers),
read offline by ``data.load_japanese_vowels``; padded to 29 frames with a mask; 54 training
utterances (6 per speaker) are held out for validation. ``cfc`` (the default) reads the mean
and maximum of the real frames' outputs of an un-wired CfC; ``cfc-ncp`` the same of an
AutoNCP(64, 9) CfC. Both were chosen on validation only (``select_japanese_vowels.py``).
Published accuracy: echo-state network 96.5 %, MLP 97.6 %, WEASEL+MUSE 97.6 %, FCN 99.3 %
(Fawaz et al. 2019; Dhariyal et al. 2020).
"""
from __future__ import annotations

import sys

from harness import run_task

from data import load_japanese_vowels


def main(argv: list[str] | None = None) -> list[dict]:
    """Runs the requested models and seeds; returns their records."""
    return run_task("japanese_vowels", load_japanese_vowels, argv, __doc__)


if __name__ == "__main__":
    main()
    sys.exit(0)

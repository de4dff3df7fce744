"""Writes the API reference pages ``docs/<module>.md`` from the public modules' ``__all__`` and docstrings.

Usage (from the repository root, with ``ember_ml`` importable)::

    python scripts/gen_api_docs.py           # (re)write docs/*.md
    python scripts/gen_api_docs.py --check   # exit 1 if a page differs from what would be written

Each page lists every public name of its module with its signature and the first line
of its docstring; the full docstrings (shapes, dtypes, errors) are the reference and are
read with ``help()``. ``tests_py/test_docs.py`` runs ``--check``, so the lists cannot go stale.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import pathlib
import re
import sys
from typing import Any

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"
# (module, page title), in the order of the index.
MODULES = (
    ("ember_ml.backend", "Backends"),
    ("ember_ml.ops", "Operations"),
    ("ember_ml.ops.stats", "Statistics"),
    ("ember_ml.ops.linearalg", "Linear algebra"),
    ("ember_ml.ops.bitwise", "Bitwise operations"),
    ("ember_ml.ops.activations", "Activation functions"),
    ("ember_ml.nn.tensor", "Tensors"),
    ("ember_ml.nn.modules", "Modules"),
    ("ember_ml.nn.modules.activations", "Activations"),
    ("ember_ml.nn.modules.rnn", "Recurrent engine (ncps.torch style)"),
    ("ember_ml.ncps", "ncps.torch-compatible layers"),
    ("ember_ml.nn.modules.wiring", "Wirings (Ember names)"),
    ("ember_ml.wirings", "Wirings (ncps names)"),
    ("ember_ml.nn.initializers", "Initializers"),
    ("ember_ml.nn.features", "Features"),
    ("ember_ml.nn.utils", "Sequence utilities"),
    ("ember_ml.training", "Training"),
    ("ember_ml.distributed", "Distributed training"),
)


def page_name(module: str) -> str:
    """``ember_ml.ops.stats`` -> ``ops.stats.md``."""
    return module.removeprefix("ember_ml.") + ".md"


def _tidy(text: str) -> str:
    return re.sub(r"\bember_ml\._core\.", "", text)


def describe(name: str, obj: Any) -> tuple[str, str]:
    """``(signature, summary)`` of a public object; pybind11 functions carry their signature in the docstring."""
    doc = inspect.getdoc(obj) or ""
    lines = [line.strip() for line in doc.splitlines() if line.strip()]
    if lines and lines[0].startswith(f"{name}("):
        return _tidy(lines[0]), (lines[1] if len(lines) > 1 else "")
    summary = lines[0] if lines else ""
    if inspect.ismodule(obj):
        return name, summary
    if not callable(obj):
        return f"{name} = {obj!r}", summary
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return name, summary
    return _tidy(name + format_signature(signature, with_return=not inspect.isclass(obj))), summary


def _annotation(annotation: Any) -> str:
    # With ``from __future__ import annotations`` the annotations are already strings.
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def format_signature(signature: inspect.Signature, with_return: bool) -> str:
    """``(a: int, b: str = 'x') -> T`` without the quotes that string annotations get from ``str(signature)``."""
    parameters = []
    previous = None
    for parameter in signature.parameters.values():
        if previous is parameter.POSITIONAL_ONLY and parameter.kind is not previous:
            parameters.append("/")
        keyword_only_starts = previous not in (parameter.KEYWORD_ONLY, parameter.VAR_POSITIONAL)
        if parameter.kind is parameter.KEYWORD_ONLY and keyword_only_starts:
            parameters.append("*")
        previous = parameter.kind
        text = parameter.name
        if parameter.kind is parameter.VAR_POSITIONAL:
            text = "*" + text
        elif parameter.kind is parameter.VAR_KEYWORD:
            text = "**" + text
        if parameter.annotation is not parameter.empty:
            text += f": {_annotation(parameter.annotation)}"
        if parameter.default is not parameter.empty:
            text += f" = {parameter.default!r}" if parameter.annotation is not parameter.empty \
                else f"={parameter.default!r}"
        parameters.append(text)
    if previous is inspect.Parameter.POSITIONAL_ONLY:
        parameters.append("/")
    text = f"({', '.join(parameters)})"
    if with_return and signature.return_annotation is not signature.empty:
        text += f" -> {_annotation(signature.return_annotation)}"
    return text


def own_methods(cls: type) -> list[str]:
    """Public methods a class defines itself (inherited ones are listed on their own class)."""
    return sorted(k for k, v in vars(cls).items() if not k.startswith("_") and callable(v))


def render(module_name: str, title: str) -> str:
    """The Markdown page of one module."""
    module = importlib.import_module(module_name)
    names = list(getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")])
    lines = [f"# {title}: `{module_name}`", "", inspect.getdoc(module) or "", "",
             f"Public names ({len(names)}); the full docstrings, with shapes, dtypes and the errors raised, "
             f"are the reference: `help({module_name}.NAME)`.", ""]
    listed: dict[int, str] = {}
    for name in names:
        obj = getattr(module, name)
        if id(obj) in listed:
            lines.append(f"- `{name}`: alias of `{listed[id(obj)]}`.")
            continue
        listed[id(obj)] = name
        signature, summary = describe(name, obj)
        kind = "class" if inspect.isclass(obj) else "module" if inspect.ismodule(obj) else ""
        lines.append(f"- {kind + ' ' if kind else ''}`{signature}`" + (f": {summary}" if summary else ""))
        if inspect.isclass(obj) and obj.__module__.startswith("ember_ml"):
            methods = own_methods(obj)
            if methods:
                lines.append("  Methods: " + ", ".join(f"`{m}`" for m in methods) + ".")
    return "\n".join(lines) + "\n"


def render_index() -> str:
    """``docs/README.md``: one line per page."""
    lines = ["# Ember ML API reference", "",
             "One page per public module, generated by `python scripts/gen_api_docs.py` from the modules' "
             "`__all__` and docstrings (a test checks the pages are current).", ""]
    lines += [f"- [{title}]({page_name(module)}): `{module}`" for module, title in MODULES]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Writes or checks the pages; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report pages that are out of date")
    args = parser.parse_args(argv)
    pages = {DOCS / page_name(module): render(module, title) for module, title in MODULES}
    pages[DOCS / "README.md"] = render_index()
    stale = [path for path, text in pages.items() if not path.is_file() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(DOCS.parent)} (run python scripts/gen_api_docs.py)")
        return 1 if stale else 0
    DOCS.mkdir(exist_ok=True)
    for path in stale:
        path.write_text(pages[path])
    print(f"wrote {len(stale)} of {len(pages)} pages in {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

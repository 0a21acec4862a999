"""The example networks shipped with convcalc: where they are, what each is, and their text.

A wheel holds them in the package (convcalc/examples); a checkout has them beside it
(examples/). Each is named by its path there without `.yaml`: `unet`, `models/resnet50`.
"""

from __future__ import annotations

from pathlib import Path

from convcalc.core.errors import InputError

_PACKAGE = Path(__file__).resolve().parent.parent


def examples_folder() -> Path:
    """Return the folder of the bundled examples: the installed package's, or the checkout's."""
    installed = _PACKAGE / "examples"
    return installed if installed.is_dir() else _PACKAGE.parent / "examples"


def example_names() -> list[str]:
    """Return every bundled example's name, the networks first, then the real models, then the failing ones."""
    folder = examples_folder()
    paths = [
        *sorted(folder.glob("*.yaml")),
        *sorted(folder.glob("models/*.yaml")),
        *sorted(folder.glob("failing/*.yaml")),
    ]
    return [path.relative_to(folder).with_suffix("").as_posix() for path in paths]


def description(name: str) -> str:
    """Return the first sentence of an example's leading comment."""
    lines = []
    for line in (examples_folder() / f"{name}.yaml").read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("# ").strip())
    text = " ".join(lines)
    end = text.find(". ")
    return text[: end + 1] if end >= 0 else text


def example_text(name: str) -> str:
    """Return an example's text by its name (`unet`, `unet.yaml`, `models/resnet50`, or `resnet50`)."""
    wanted = name.removesuffix(".yaml").removeprefix("examples/")
    names = example_names()
    found = next((n for n in names if wanted in (n, n.rsplit("/", 1)[-1])), None)
    if found is None:
        from convcalc.netfile.mapping import suggest

        raise InputError(f"no bundled example {name!r}{suggest(wanted, names)}; `convcalc examples` lists them")
    return (examples_folder() / f"{found}.yaml").read_text(encoding="utf-8")

"""explain --html in a real browser: headless Chromium hovers every cell and checks what lights up.

What is lit is compared with the brute-force model of tests/property/brute.py (kernels slid
and scattered by hand), not with the page's own data. The tests need playwright and
Debian's chromium; without them they are skipped, unless CONVCALC_BROWSER_TESTS=required
(CI sets it), when they fail instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.property.brute import Layer1d, dependencies, output_size, stack_dependencies

pytestmark = pytest.mark.slow  # a real browser: about 40 s

Run = Callable[..., Result]
CHROMIUM = Path(os.environ.get("CONVCALC_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [  # a closed network: nothing in the background may try to reach one
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(os.environ.get("CONVCALC_SCREENSHOTS", "")) if os.environ.get("CONVCALC_SCREENSHOTS") else None

SEEDS = {  # seed 000's seven examples: explain's flags, and the axis as the brute-force model writes it
    "1": (["conv", "-i", "6", "-k", "2", "-s", "1"], Layer1d("conv", 2, 1, 0, 0), 6),
    "2": (["conv", "-i", "6", "-k", "2", "-s", "2"], Layer1d("conv", 2, 2, 0, 0), 6),
    "3": (["conv", "-i", "6", "-k", "2", "-s", "2", "-p", "1"], Layer1d("conv", 2, 2, 1, 1), 6),
    "4": (["conv", "-i", "5", "-k", "2", "-s", "2"], Layer1d("conv", 2, 2, 0, 0), 5),
    "5": (["convt", "-i", "3", "-k", "2", "-s", "2"], Layer1d("convtranspose", 2, 2, 0, 0), 3),
    "6": (["convt", "-i", "5", "-k", "2", "-s", "1"], Layer1d("convtranspose", 2, 1, 0, 0), 5),
    "7": (["convt", "-i", "3", "-k", "2", "-s", "2", "-p", "1"], Layer1d("convtranspose", 2, 2, 1, 1), 3),
}
MORE = {  # 1-D, 3-D, dilation, ceil_mode, output_padding and a crop, asymmetric padding
    "dilated-1d": (
        ["conv", "--dims", "1", "-i", "9", "-k", "3", "-d", "2", "-s", "2"],
        [Layer1d("conv", 3, 2, 0, 0, 2)],
        9,
    ),
    "ceil-pool-1d": (
        ["pool", "--dims", "1", "-i", "8", "-k", "3", "-s", "2", "--ceil"],
        [Layer1d("maxpool", 3, 2, 0, 0, ceil_mode=True)],
        8,
    ),
    "crop-convt-1d": (
        ["convt", "--dims", "1", "-i", "4", "-k", "3", "-s", "2", "-p", "3", "-a", "1"],
        [Layer1d("convtranspose", 3, 2, 3, 3, output_padding=1)],
        4,
    ),
    "asymmetric": (
        ["conv", "-i", "5x4", "-k", "3x2", "-s", "2x1", "-p", "1:0x0:1"],
        [Layer1d("conv", 3, 2, 1, 0), Layer1d("conv", 2, 1, 0, 1)],
        (5, 4),
    ),
    "three-d": (
        ["conv", "--dims", "3", "-i", "4", "-k", "2", "-s", "2", "-p", "1"],
        [Layer1d("conv", 2, 2, 1, 1)] * 3,
        4,
    ),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Start headless Chromium once for the module (skipped, or failed when required, without it)."""
    required = os.environ.get("CONVCALC_BROWSER_TESTS") == "required"
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "playwright is not installed (pip install -e '.[test]')"
    if problem is None and not CHROMIUM.exists():
        problem = f"no browser at {CHROMIUM} (apt-get install chromium)"
    if problem is not None:
        if required:
            pytest.fail(problem)
        pytest.skip(problem)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


class Watched:
    """A page with its console errors and every request it made recorded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1200, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]")
        self.url = path.as_uri()

    def lit(self, selector: str, attribute: str) -> set[tuple[int, ...]]:
        """Return the cells the selector matches, as the index tuples their attribute holds."""
        values = self.page.eval_on_selector_all(selector, f"els => els.map(e => e.getAttribute('{attribute}'))")
        return {tuple(int(v) for v in value.split(",")) for value in values}

    def close(self) -> None:
        """Check that the page logged no error and fetched nothing but itself, then close it."""
        assert self.errors == []
        assert self.requests == [self.url]  # the page itself, and nothing else
        self.page.close()


def _axes(case: tuple[list[str], Any, Any]) -> list[tuple[Layer1d, int]]:
    _, layers, size = case
    if isinstance(layers, Layer1d):
        return [(layers, size), (layers, size)]
    sizes = size if isinstance(size, tuple) else (size,) * len(layers)
    return list(zip(layers, sizes, strict=True))


def _truth(axes: list[tuple[Layer1d, int]]) -> tuple[list[dict[int, set[int]]], list[int]]:
    """Return per axis what each output reads (clipped to the input), and the output sizes, by brute force."""
    reads, outs = [], []
    for layer, size in axes:
        out = output_size(layer, size)
        outs.append(out)
        reads.append({o: {i for i in cells if 0 <= i < size} for o, cells in dependencies(layer, size, out).items()})
    return reads, outs


def _write(run: Run, tmp_path: Path, name: str, flags: list[str]) -> Path:
    path = tmp_path / f"{name}.html"
    result = run("explain", *flags, "--html", str(path))
    assert result.exit_code == 0, result.output
    return path


CASES = {**{f"seed000-{k}": v for k, v in SEEDS.items()}, **MORE}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hovering_an_output_lights_what_it_reads(browser: Any, run: Run, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    watched = Watched(browser, _write(run, tmp_path, name, case[0]))
    reads, outs = _truth(_axes(case))
    outputs = watched.lit("[data-out]", "data-out")
    assert outputs == set(product(*(range(n) for n in outs)))  # small layers: every output drawn
    for stop in sorted(outputs):
        watched.page.hover(f'[data-out="{",".join(map(str, stop))}"]')
        expected = set(product(*(reads[a][o] for a, o in enumerate(stop))))
        assert watched.lit("[data-index].hl", "data-index") == expected, stop
    watched.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_hovering_an_input_lights_the_outputs_it_feeds(browser: Any, run: Run, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    watched = Watched(browser, _write(run, tmp_path, name, case[0]))
    reads, _ = _truth(_axes(case))
    inputs = sorted(watched.lit("[data-index]", "data-index"))
    assert inputs
    for cell in inputs:
        watched.page.hover(f'[data-index="{",".join(map(str, cell))}"] >> nth=0')
        feeds = [{o for o, cells in reads[a].items() if i in cells} for a, i in enumerate(cell)]
        assert watched.lit("[data-out].hl", "data-out") == set(product(*feeds)), cell
    watched.close()


def test_stepping_shows_each_stop_its_taps_and_reads(browser: Any, run: Run, tmp_path: Path) -> None:
    """Seed 000's example 5 stepped through: the recipe's three stages, then every stop in order."""
    flags, layer, size = SEEDS["5"]
    watched = Watched(browser, _write(run, tmp_path, "ex5", flags))
    page = watched.page
    reads, outs = _truth([(layer, size), (layer, size)])
    captions = [page.text_content(".caption")]
    for _ in range(3):
        page.click("button.next")
        captions.append(page.text_content(".caption"))
    assert captions == [
        "step 1: input 3×3, and z = s - 1 = 1, p' = d(k-1) - p = 1",
        "step 2: z = s - 1 = 1 zero inserted between the input cells: 5×5",
        "step 3: p' = d(k-1) - p = 1 - 0 = 1: 1 ring of zeros on each side: 7×7",
        "step 4: kernel 2×2, stride 1: stop 1 of 36, output (0, 0)",
    ]
    assert len(page.query_selector_all(".panel .cell.z")) == 16  # the 7×7 grid: 9 inputs, 16 zeros, 24 padding
    assert len(page.query_selector_all(".panel .cell.p")) == 24
    for stop in product(range(outs[0]), range(outs[1])):
        assert page.text_content(".caption").endswith(f"output ({stop[0]}, {stop[1]})")
        taps = watched.lit(".panel .cell.tap", "data-pos")
        assert taps == set(product(*((stop[a], stop[a] + 1) for a in range(2))))  # kernel 2, moved by 1
        assert watched.lit(".panel .cell.read", "data-index") == set(
            product(*(reads[a][o] for a, o in enumerate(stop)))
        )
        assert watched.lit(".panel .cell.current", "data-out") == {stop}
        page.click("button.next")
    assert page.text_content(".caption") == "output 6×6"
    assert len(page.query_selector_all(".panel .cell.o.written")) == 36
    if SHOTS:
        page.screenshot(path=str(SHOTS / "seed000-5-output.png"))
    watched.close()


def test_play_and_pause(browser: Any, run: Run, tmp_path: Path) -> None:
    watched = Watched(browser, _write(run, tmp_path, "ex1", SEEDS["1"][0]))
    page = watched.page
    assert page.text_content(".counter") == "1 / 27"
    page.click("button.play")
    assert page.text_content("button.play") == "pause"
    page.wait_for_function("document.querySelector('.counter').textContent.startsWith('3 /')", timeout=5000)
    page.click("button.play")
    assert page.text_content("button.play") == "play"
    stopped = page.text_content(".counter")
    page.wait_for_timeout(1500)
    assert page.text_content(".counter") == stopped
    page.fill("input.frame", "26")
    page.dispatch_event("input.frame", "input")
    assert page.text_content(".counter") == "27 / 27"
    assert page.text_content(".caption") == "output 5×5"
    watched.close()


NETWORK = """\
input: [1, 1, 12, 10]
layers:
  - {type: conv, name: down, out_channels: 2, kernel_size: 3, stride: 2, padding: 1}
  - {type: relu}
  - {type: maxpool, name: pool, kernel_size: 2}
  - {type: convtranspose, name: up, out_channels: 1, kernel_size: 3, stride: 2, padding: 1, output_padding: 1}
"""
NETWORK_AXES = [  # per axis, the chain as the brute-force model writes it (relu keeps every position)
    [
        Layer1d("conv", 3, 2, 1, 1),
        Layer1d("maxpool", 2, 2, 0, 0),
        Layer1d("convtranspose", 3, 2, 1, 1, output_padding=1),
    ]
] * 2


def test_a_network_page_traces_an_output_back_to_the_input(browser: Any, run: Run, tmp_path: Path) -> None:
    """Hovering any output of the last layer draws, on the network input, the cells it depends on."""
    net = tmp_path / "net.yaml"
    net.write_text(NETWORK)
    path = tmp_path / "net.html"
    result = run("explain", str(net), "--html", str(path))
    assert result.exit_code == 0, result.output
    watched = Watched(browser, path)
    page = watched.page
    assert page.text_content("#layer-2 .row-text") == "relu: 1×2×6×5 → 1×2×6×5"
    sizes = (12, 10)
    outputs = watched.lit("#layer-4 [data-out]", "data-out")
    assert outputs == set(product(range(6), range(4)))
    for stop in sorted(outputs):
        page.hover(f'#layer-4 [data-out="{stop[0]},{stop[1]}"]')
        rects = page.eval_on_selector_all(
            ".tracer rect.dep", "els => els.map(e => [e.getAttribute('data-rows'), e.getAttribute('data-cols')])"
        )
        drawn = {
            (r, c)
            for rows, cols in rects
            for r in range(int(rows.split(",")[0]), int(rows.split(",")[1]) + 1)
            for c in range(int(cols.split(",")[0]), int(cols.split(",")[1]) + 1)
        }
        per_axis = []
        for a, o in enumerate(stop):
            unbounded = stack_dependencies(NETWORK_AXES[a], range(o, o + 1))[o]
            per_axis.append({i for i in unbounded if 0 <= i < sizes[a]})
        assert drawn == set(product(*per_axis)), stop
        assert page.text_content(".tracer .note").startswith(f"layer 4 (up), output ({stop[0]}, {stop[1]}) depends")
    if SHOTS:
        page.screenshot(path=str(SHOTS / "network.png"), full_page=True)
    watched.close()

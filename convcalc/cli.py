"""The convcalc command line: thin commands over the pure core, one place that decides exit codes."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from typer.exceptions import TyperException

from convcalc import __version__
from convcalc.analysis import LayerResult, StackResult, analyze
from convcalc.errors import ExitCode, InputError, InputErrorGroup
from convcalc.render import RENDERERS, Format, RenderOptions
from convcalc.spec import LayerKind, LayerSpec, NetworkSpec
from convcalc.values import decide_rank, parse_axes, parse_int, parse_padding, parse_shape

app = typer.Typer(
    name="convcalc",
    help="Output shapes, receptive field and equivalent convolutions of CNN layers, exact to torch.nn.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:  # noqa: FBT001 - Typer callback
    if value:
        sys.stdout.write(f"convcalc {__version__}\n")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[  # noqa: FBT002 - Typer reads the flag's default from the signature
        bool, typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """Output shapes, receptive field and equivalent convolutions of CNN layers, exact to torch.nn."""


# ---------------------------------------------------------------- shared options

SizeOpt = Annotated[str, typer.Option("-i", "--input", help="Input size: 6, or per axis 6,8 / 6x8 / 5x320x320.")]
KernelOpt = Annotated[str, typer.Option("-k", "--kernel", help="Kernel size, per axis like the input.")]
StrideOpt = Annotated[str | None, typer.Option("-s", "--stride", help="Stride (default 1; for pools, the kernel).")]
PaddingOpt = Annotated[str, typer.Option("-p", "--padding", help="Padding per side: 1, 1,2, same or valid.")]
DilationOpt = Annotated[str, typer.Option("-d", "--dilation", help="Dilation.")]
DimsOpt = Annotated[
    int | None, typer.Option("--dims", help="Spatial axes (1, 2 or 3) when every value is a scalar (default 2).")
]
BatchOpt = Annotated[str, typer.Option("--batch", help="Batch size N.")]
ChannelsOpt = Annotated[str, typer.Option("--channels", help="Input channels C.")]
OutChannelsOpt = Annotated[str | None, typer.Option("--out-channels", help="Output channels (default: unchanged).")]
GroupsOpt = Annotated[str, typer.Option("--groups", help="Groups, as in torch.nn.")]
BiasOpt = Annotated[bool, typer.Option("--bias/--no-bias", help="Count a bias in the parameters.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="Output: table, json, markdown or csv.")]


def _format(text: str) -> Format:
    try:
        return Format(text.lower())
    except ValueError:
        choices = ", ".join(f.value for f in Format)
        raise InputError(f"expected one of {choices}, got {text!r}", where="--format") from None


def _render_options() -> RenderOptions:
    """Pick the table width and colour: the terminal's, or COLUMNS and plain text when piped."""
    tty = sys.stdout.isatty()
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        width = int(columns)
    else:
        width = shutil.get_terminal_size((100, 24)).columns if tty else 100
    return RenderOptions(width=width, color=tty and "NO_COLOR" not in os.environ)


@contextmanager
def _reporting() -> Iterator[None]:
    """Turn input errors into one stderr line each and exit code 2: the single translation point."""
    try:
        yield
    except InputErrorGroup as errors:
        for error in errors.errors:
            sys.stderr.write(f"convcalc: error: {error}\n")
        raise typer.Exit(ExitCode.BAD_INPUT) from None
    except InputError as error:
        sys.stderr.write(f"convcalc: error: {error}\n")
        raise typer.Exit(ExitCode.BAD_INPUT) from None


def _emit(result: StackResult, fmt: Format, *, prefix: str = "") -> None:
    """Print the result, then one stderr line per failing layer, and exit 0 or 1."""
    sys.stdout.write(RENDERERS[fmt](result, _render_options()))
    for layer in result.failures:
        sys.stderr.write(f"{prefix}{layer.message}\n")
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.LAYER_INVALID)


def _single_layer(  # noqa: PLR0913 - the flags of one layer
    kind: LayerKind,
    *,
    size: str,
    kernel: str,
    stride: str | None,
    padding: str,
    dilation: str,
    dims: int | None,
    batch: str,
    channels: str,
    fmt: str,
    output_padding: str = "0",
    out_channels: str | None = None,
    groups: str = "1",
    bias: bool = True,
    ceil_mode: bool = False,
) -> None:
    """Parse the flags of a layer command, analyse the one-layer network and print it."""
    with _reporting():
        output_format = _format(fmt)
        if dims is not None and dims not in (1, 2, 3):
            raise InputError(f"expected 1, 2 or 3, got {dims}", where="--dims")
        values = {
            "--input": parse_axes(size, "--input"),
            "--kernel": parse_axes(kernel, "--kernel"),
            "--dilation": parse_axes(dilation, "--dilation"),
            "--output-padding": parse_axes(output_padding, "--output-padding", minimum=0),
        }
        if stride is not None:
            values["--stride"] = parse_axes(stride, "--stride")
        pad = parse_padding(padding, "--padding")
        if not isinstance(pad, str):
            values["--padding"] = pad
        rank = decide_rank(values, dims)

        def axes(flag: str) -> tuple[int, ...]:
            value = values[flag]
            return value * rank if len(value) == 1 else value

        try:
            layer = LayerSpec.create(
                kind,
                axes("--kernel"),
                rank=rank,
                stride=None if stride is None else axes("--stride"),
                padding=pad if isinstance(pad, str) else axes("--padding"),
                dilation=axes("--dilation"),
                output_padding=axes("--output-padding"),
                ceil_mode=ceil_mode,
                groups=parse_int(groups, "--groups"),
                bias=bias,
                out_channels=None if out_channels is None else parse_int(out_channels, "--out-channels"),
            )
            shape = (parse_int(batch, "--batch"), parse_int(channels, "--channels"), *axes("--input"))
            network = NetworkSpec(input=shape, layers=(layer,), source=f"{kind.value} layer")
        except InputError as error:
            if error.where.startswith("--"):
                raise
            flag = {"kernel_size": "--kernel", "input": "--input"}.get(error.where, f"--{error.where}")
            raise error.located(where=flag.replace("_", "-")) from None
    _emit(analyze(network), output_format)


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  convcalc conv -i 6 -k 2 -s 2 -p 1            [dim]# 6x6 → 4x4 (seed example 3)[/dim]\n\n"
        "  convcalc conv -i 224 -k 7 -s 2 -p 3 --channels 3 --out-channels 64\n\n"
        "  convcalc conv -i 5x320x320 -k 2x3x3 --format json   [dim]# 3-D, for scripts[/dim]"
    )
)
def conv(  # noqa: PLR0913 - one flag per torch.nn argument
    size: SizeOpt,
    kernel: KernelOpt,
    stride: StrideOpt = None,
    padding: PaddingOpt = "0",
    dilation: DilationOpt = "1",
    dims: DimsOpt = None,
    batch: BatchOpt = "1",
    channels: ChannelsOpt = "1",
    out_channels: OutChannelsOpt = None,
    groups: GroupsOpt = "1",
    bias: BiasOpt = True,  # noqa: FBT002 - a flag
    fmt: FormatOpt = "table",
) -> None:
    """Compute a direct convolution (Conv1d/2d/3d): output size, receptive field, uncovered cells."""
    _single_layer(
        LayerKind.CONV,
        size=size,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        dims=dims,
        batch=batch,
        channels=channels,
        fmt=fmt,
        out_channels=out_channels,
        groups=groups,
        bias=bias,
    )


CONVT_EPILOG = (
    "[bold]Examples[/bold]\n\n"
    "  convcalc convt -i 3 -k 2 -s 2                 [dim]# 3x3 → 6x6 (seed example 5)[/dim]\n\n"
    "  convcalc convt --dims 1 -i 3 -k 3 -s 2 -p 1 -a 1   [dim]# undoes conv -i 6 -k 3 -s 2 -p 1[/dim]\n\n"
    "  convcalc convt -i 4x4 -k 4 -s 2 -p 1 --channels 512 --out-channels 256 --format json"
)


def convt(  # noqa: PLR0913 - one flag per torch.nn argument
    size: SizeOpt,
    kernel: KernelOpt,
    stride: StrideOpt = None,
    padding: PaddingOpt = "0",
    dilation: DilationOpt = "1",
    output_padding: Annotated[
        str, typer.Option("-a", "--output-padding", help="Extra output size on one side (output_padding).")
    ] = "0",
    dims: DimsOpt = None,
    batch: BatchOpt = "1",
    channels: ChannelsOpt = "1",
    out_channels: OutChannelsOpt = None,
    groups: GroupsOpt = "1",
    bias: BiasOpt = True,  # noqa: FBT002 - a flag
    fmt: FormatOpt = "table",
) -> None:
    """Compute a transposed convolution (ConvTranspose1d/2d/3d) and the direct convolution that equals it."""
    _single_layer(
        LayerKind.CONVTRANSPOSE,
        size=size,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        dims=dims,
        batch=batch,
        channels=channels,
        fmt=fmt,
        output_padding=output_padding,
        out_channels=out_channels,
        groups=groups,
        bias=bias,
    )


app.command("convt", epilog=CONVT_EPILOG)(convt)
app.command("conv-transpose", epilog=CONVT_EPILOG, hidden=True)(convt)
app.command("deconv", epilog=CONVT_EPILOG, hidden=True)(convt)


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  convcalc pool -i 4x4 -k 2                      [dim]# max pool, stride = kernel: 2x2[/dim]\n\n"
        "  convcalc pool -i 112 -k 3 -s 2 -p 1 --channels 64  [dim]# ResNet stem: 56x56[/dim]\n\n"
        "  convcalc pool -i 5 -k 3 -s 2 -p 1 --ceil --mode avg"
    )
)
def pool(  # noqa: PLR0913 - one flag per torch.nn argument
    size: SizeOpt,
    kernel: KernelOpt,
    stride: StrideOpt = None,
    padding: PaddingOpt = "0",
    dilation: DilationOpt = "1",
    ceil: Annotated[bool, typer.Option("--ceil", help="ceil_mode: round the output size up.")] = False,  # noqa: FBT002
    mode: Annotated[str, typer.Option("--mode", help="max or avg.")] = "max",
    dims: DimsOpt = None,
    batch: BatchOpt = "1",
    channels: ChannelsOpt = "1",
    fmt: FormatOpt = "table",
) -> None:
    """Compute a pooling layer (MaxPool1d/2d/3d, AvgPool1d/2d/3d), with PyTorch's ceil_mode rule."""
    with _reporting():
        kinds = {"max": LayerKind.MAXPOOL, "avg": LayerKind.AVGPOOL}
        if mode.lower() not in kinds:
            raise InputError(f"expected max or avg, got {mode!r}", where="--mode")
    _single_layer(
        kinds[mode.lower()],
        size=size,
        kernel=kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        dims=dims,
        batch=batch,
        channels=channels,
        fmt=fmt,
        ceil_mode=ceil,
    )


InputShapeOpt = Annotated[
    str | None,
    typer.Option("--input", "-i", help="Override the file's input shape, e.g. 1,3,256,256 (N, C, spatial)."),
]


def _input_override(text: str | None) -> tuple[int, ...] | None:
    return None if text is None else parse_shape(text, "--input")


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  convcalc stack examples/resnet_stem.yaml\n\n"
        "  convcalc stack examples/unet_decoder.yaml --format markdown   [dim]# for a pull request[/dim]\n\n"
        "  cat net.yaml | convcalc stack - --input 1,3,512,512 --format json"
    )
)
def stack(
    file: Annotated[str, typer.Argument(help="A network file (YAML), or - for standard input.")],
    input_shape: InputShapeOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Compute every layer of a network file: shapes, receptive field, jump, equivalent convolutions."""
    from convcalc.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    with _reporting():
        output_format = _format(fmt)
        network = read_network(file, input_shape=_input_override(input_shape))
    result = analyze(network)
    sys.stdout.write(RENDERERS[output_format](result, _render_options()))
    for layer in result.failures:
        sys.stderr.write(f"{_where(layer)}{layer.message}\n")
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.LAYER_INVALID)


def _where(layer: LayerResult) -> str:
    location = layer.spec.location
    return f"{location}: " if location else ""


@app.command(
    epilog=(
        "[bold]Examples[/bold]\n\n"
        "  convcalc check examples/*.yaml              [dim]# one line when all pass[/dim]\n\n"
        "  convcalc check models/*.convcalc.yaml --input 1,3,512,512\n\n"
        "  convcalc check net.yaml || echo 'a shape is wrong'"
    )
)
def check(
    files: Annotated[list[str], typer.Argument(help="Network files (YAML); - reads standard input.")],
    input_shape: InputShapeOpt = None,
) -> None:
    """Check network files for CI: quiet when every layer is valid and every expect holds, exit 1 otherwise."""
    from convcalc.loader import read_network  # noqa: PLC0415 - YAML is loaded only when a file is read

    failures, malformed, layers = 0, 0, 0
    override = None
    with _reporting():
        override = _input_override(input_shape)
    for file in files:
        try:
            network = read_network(file, input_shape=override)
        except InputErrorGroup as errors:
            malformed += 1
            for error in errors.errors:
                sys.stderr.write(f"convcalc: error: {error}\n")
            continue
        result = analyze(network)
        layers += len(result.layers)
        for layer in result.failures:
            failures += 1
            sys.stderr.write(f"{_where(layer) or network.source + ': '}{layer.message}\n")
    files_word = "file" if len(files) == 1 else "files"
    if malformed or failures:
        sys.stdout.write(
            f"convcalc check: {len(files)} {files_word}: {failures} failing layer(s), {malformed} unreadable file(s)\n"
        )
        raise typer.Exit(ExitCode.BAD_INPUT if malformed else ExitCode.LAYER_INVALID)
    sys.stdout.write(f"convcalc check: {len(files)} {files_word}, {layers} layers, every shape as expected\n")


@app.command(epilog="[bold]Example[/bold]\n\n  convcalc schema > network.schema.json")
def schema() -> None:
    """Print the JSON Schema of network files, for editors and validators."""
    from convcalc.schema import schema_text  # noqa: PLC0415 - only this command needs it

    sys.stdout.write(schema_text())


def main(argv: list[str] | None = None) -> int:
    """Run convcalc; usage errors become one line on stderr and exit code 2."""
    try:
        code = app(args=argv, prog_name="convcalc", standalone_mode=False)
    except typer.Exit as stop:
        return stop.exit_code
    except TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # help was printed: not an error
            return ExitCode.OK
        sys.stderr.write(f"convcalc: error: {error.format_message()}\n")
        return ExitCode.BAD_INPUT
    except typer.Abort:
        sys.stderr.write("convcalc: aborted\n")
        return 130
    return code if isinstance(code, int) else ExitCode.OK


def entry_point() -> None:
    """Console-script entry: exit with main()'s code."""
    sys.exit(main())

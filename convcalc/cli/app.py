"""The Typer app: argv to keyword arguments, help with examples, usage errors. The work is in commands.py."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from typer.exceptions import TyperException

from convcalc import __version__
from convcalc.cli import commands
from convcalc.cli.commands import ALIASES
from convcalc.cli.entry import say
from convcalc.core.errors import ExitCode

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


def _exit(code: int) -> None:
    """Leave a Typer command with the exit code of the command it ran."""
    raise typer.Exit(code)


# Options are strings: convcalc's own parsers check them and say what is wrong in one line.
SizeOpt = Annotated[str, typer.Option("-i", "--input", help="Input size: 6, or per axis 6,8 / 6x8 / 5x320x320.")]
KernelOpt = Annotated[str, typer.Option("-k", "--kernel", help="Kernel size, per axis like the input.")]
StrideOpt = Annotated[str | None, typer.Option("-s", "--stride", help="Stride (default 1; for pools, the kernel).")]
PaddingOpt = Annotated[
    str,
    typer.Option(
        "-p",
        "--padding",
        help="Padding: 1, per axis 1,2, before:after 1:2 or 1:2x0:1, or same, valid, causal, SAME_LOWER.",
    ),
]
DilationOpt = Annotated[str, typer.Option("-d", "--dilation", help="Dilation.")]
DimsOpt = Annotated[
    str | None, typer.Option("--dims", help="Spatial axes (1, 2 or 3) when every value is a scalar (default 2).")
]
BatchOpt = Annotated[str, typer.Option("--batch", help="Batch size N.")]
ChannelsOpt = Annotated[str, typer.Option("--channels", help="Input channels C.")]
OutChannelsOpt = Annotated[str | None, typer.Option("--out-channels", help="Output channels (default: unchanged).")]
GroupsOpt = Annotated[str, typer.Option("--groups", help="Groups, as in torch.nn.")]
BiasOpt = Annotated[bool, typer.Option("--bias/--no-bias", help="Count a bias in the parameters.")]
FormatOpt = Annotated[str, typer.Option("-f", "--format", help="Output: table, json, markdown or csv.")]
FrameworkOpt = Annotated[
    str, typer.Option("--framework", help="Whose rules: torch (default), keras (or tf), onnx or jax.")
]
InputShapeOpt = Annotated[
    str | None,
    typer.Option("-i", "--input", help="Override the file's input shape, e.g. 1,3,256,256 (N, C, spatial)."),
]


def _examples(*lines: str) -> str:
    return "[bold]Examples[/bold]\n\n" + "\n\n".join(f"  {line}" for line in lines)


@app.command(
    epilog=_examples(
        "convcalc conv -i 6 -k 2 -s 2 -p 1            [dim]# 6x6 → 4x4 (seed example 3)[/dim]",
        "convcalc conv -i 224 -k 7 -s 2 -p 3 --channels 3 --out-channels 64",
        "convcalc conv -i 5x320x320 -k 2x3x3 --format json   [dim]# 3-D, for scripts[/dim]",
        "convcalc conv -i 7 -k 4 -s 2 -p same --framework keras   [dim]# Keras same with a stride[/dim]",
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
    framework: FrameworkOpt = "torch",
) -> None:
    """Compute a direct convolution (Conv1d/2d/3d): output size, receptive field, uncovered cells."""
    _exit(commands.run("conv", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc convt -i 3 -k 2 -s 2                 [dim]# 3x3 → 6x6 (seed example 5)[/dim]",
        "convcalc convt --dims 1 -i 3 -k 3 -s 2 -p 1 -a 1   [dim]# undoes conv -i 6 -k 3 -s 2 -p 1[/dim]",
        "convcalc convt -i 7 -k 3 -s 2 -p 1 --target 14       [dim]# finds output_padding 1[/dim]",
        "[dim]Also spelled conv-transpose and deconv.[/dim]",
    )
)
def convt(  # noqa: PLR0913 - one flag per torch.nn argument
    size: SizeOpt,
    kernel: KernelOpt,
    stride: StrideOpt = None,
    padding: PaddingOpt = "0",
    dilation: DilationOpt = "1",
    output_padding: Annotated[
        str | None, typer.Option("-a", "--output-padding", help="Extra output size on one side (output_padding).")
    ] = None,
    target: Annotated[
        str | None,
        typer.Option("--target", help="Wanted output size: sets output_padding, as forward(output_size=...)."),
    ] = None,
    dims: DimsOpt = None,
    batch: BatchOpt = "1",
    channels: ChannelsOpt = "1",
    out_channels: OutChannelsOpt = None,
    groups: GroupsOpt = "1",
    bias: BiasOpt = True,  # noqa: FBT002 - a flag
    fmt: FormatOpt = "table",
    framework: FrameworkOpt = "torch",
) -> None:
    """Compute a transposed convolution (ConvTranspose1d/2d/3d) and the direct convolution that equals it."""
    _exit(commands.run("convt", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc pool -i 4x4 -k 2                      [dim]# max pool, stride = kernel: 2x2[/dim]",
        "convcalc pool -i 112 -k 3 -s 2 -p 1 --channels 64  [dim]# ResNet stem: 56x56[/dim]",
        "convcalc pool -i 5 -k 3 -s 2 -p 1 --ceil --mode avg",
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
    framework: FrameworkOpt = "torch",
) -> None:
    """Compute a pooling layer (MaxPool1d/2d/3d, AvgPool1d/2d/3d), with PyTorch's ceil_mode rule."""
    _exit(commands.run("pool", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc stack examples/resnet_stem.yaml",
        "convcalc stack examples/unet_decoder.yaml --format markdown   [dim]# for a pull request[/dim]",
        "cat net.yaml | convcalc stack - --input 1,3,512,512 --format json",
    )
)
def stack(
    file: Annotated[str, typer.Argument(help="A network file (YAML), or - for standard input.")],
    input_shape: InputShapeOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Compute every layer of a network file: shapes, receptive field, jump, equivalent convolutions."""
    _exit(commands.run("stack", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc check examples/*.yaml              [dim]# one line when all pass[/dim]",
        "convcalc check models/*.convcalc.yaml --input 1,3,512,512",
        "convcalc check net.yaml || echo 'a shape is wrong'",
    )
)
def check(
    files: Annotated[list[str], typer.Argument(help="Network files (YAML); - reads standard input.")],
    input_shape: InputShapeOpt = None,
) -> None:
    """Check network files for CI: quiet when every layer is valid and every expect holds, exit 1 otherwise."""
    _exit(commands.run("check", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc solve conv -i 224 -o 112              [dim]# kernel 3, stride 2, padding 1 first[/dim]",
        "convcalc solve convt -i 7 -o 15 --kernel 2..4 --format json",
        "convcalc solve pool -i 13x9 -o 7x5 --mode avg --max-padding 1",
    )
)
def solve(  # noqa: PLR0913 - one flag per limit
    kind: Annotated[str, typer.Argument(help="conv, convt or pool.")],
    size: SizeOpt,
    output: Annotated[str, typer.Option("-o", "--output", help="Wanted output size, per axis like the input.")],
    kernel: Annotated[str, typer.Option("--kernel", help="Kernel sizes to try, low..high.")] = "1..7",
    stride: Annotated[str, typer.Option("--stride", help="Strides to try, low..high.")] = "1..4",
    dilation: Annotated[str, typer.Option("--dilation", help="Dilations to try, low..high.")] = "1..3",
    max_padding: Annotated[str, typer.Option("--max-padding", help="Most padding on one side.")] = "4",
    symmetric_only: Annotated[  # noqa: FBT002 - a flag
        bool, typer.Option("--symmetric-only", help="Only the same padding before and after.")
    ] = False,
    mode: Annotated[str, typer.Option("--mode", help="For pool: max or avg.")] = "max",
    dims: DimsOpt = None,
    limit: Annotated[str, typer.Option("--limit", help="Show at most this many.")] = "10",
    fmt: FormatOpt = "table",
    framework: FrameworkOpt = "torch",
) -> None:
    """Find the kernel, stride, padding and dilation that map an input size to an output size."""
    _exit(commands.run("solve", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc mirror examples/vgg16_features.yaml            [dim]# the decoder, on stdout[/dim]",
        "convcalc mirror encoder.yaml -o decoder.yaml && convcalc check decoder.yaml",
        "convcalc mirror examples/conv1d_autoencoder.yaml --input 8,1,256",
    )
)
def mirror(
    file: Annotated[str, typer.Argument(help="An encoder network file (YAML), or - for standard input.")],
    input_shape: InputShapeOpt = None,
    out: Annotated[str | None, typer.Option("-o", "--output", help="Write the decoder here, not to stdout.")] = None,
) -> None:
    """Write the decoder that restores every shape of an encoder: transposed layers in reverse, with expect lines."""
    _exit(commands.run("mirror", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc sizes examples/vgg16_features.yaml                [dim]# 32 to 1024[/dim]",
        "convcalc sizes examples/conv1d_autoencoder.yaml -r 1:4096  [dim]# out = in: every 8[/dim]",
        "convcalc sizes examples/seed001_motion_detector.yaml -r 1:16,1:99,1:99 -f json",
    )
)
def sizes(
    file: Annotated[str, typer.Argument(help="A network file (YAML), or - for standard input.")],
    size_range: Annotated[
        str, typer.Option("-r", "--range", help="Input sizes to try: low:high, or one per axis (1:64,1:512).")
    ] = "1:1024",
    fmt: FormatOpt = "table",
) -> None:
    """List the input sizes a network accepts, and those that come back out at the same size."""
    _exit(commands.run("sizes", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc explain conv -i 5 -k 2 -s 2             [dim]# seed example 4: the unread column[/dim]",
        "convcalc explain convt -i 3 -k 2 -s 2 -p 1 --svg recipe.svg   [dim]# the 4-step recipe[/dim]",
        "convcalc explain conv --dims 1 -i 5 -k 3 --matrix   [dim]# the convolution as a sparse matrix[/dim]",
        "convcalc explain examples/unet_decoder.yaml --layer up1",
    )
)
def explain(  # noqa: PLR0913 - the flags of one layer
    what: Annotated[str, typer.Argument(help="conv, convt or pool (with the layer flags), or a network file.")],
    size: Annotated[str | None, typer.Option("-i", "--input", help="Input size, as for the layer commands.")] = None,
    kernel: Annotated[str | None, typer.Option("-k", "--kernel", help="Kernel size.")] = None,
    stride: StrideOpt = None,
    padding: Annotated[str | None, typer.Option("-p", "--padding", help="Padding per side.")] = None,
    dilation: Annotated[str | None, typer.Option("-d", "--dilation", help="Dilation.")] = None,
    output_padding: Annotated[str | None, typer.Option("-a", "--output-padding", help="output_padding.")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Wanted output size (convt).")] = None,
    ceil: Annotated[bool, typer.Option("--ceil", help="ceil_mode (pool).")] = False,  # noqa: FBT002
    mode: Annotated[str | None, typer.Option("--mode", help="max or avg (pool).")] = None,
    dims: DimsOpt = None,
    batch: Annotated[str | None, typer.Option("--batch", help="Batch size N.")] = None,
    channels: Annotated[str | None, typer.Option("--channels", help="Input channels C.")] = None,
    layer: Annotated[str | None, typer.Option("--layer", help="With a file: the layer's index or name.")] = None,
    matrix: Annotated[bool, typer.Option("--matrix", help="Also show the layer as a sparse matrix.")] = False,  # noqa: FBT002
    svg: Annotated[str | None, typer.Option("--svg", help="Also save the picture as an SVG file.")] = None,
    framework: Annotated[str | None, typer.Option("--framework", help="torch, keras, onnx or jax.")] = None,
) -> None:
    """Draw how a layer computes its output: the windows, the transposed recipe step by step, the matrix."""
    _exit(commands.run("explain", dict(locals())))


@app.command(
    epilog=_examples(
        "convcalc port --from keras conv -i 7 -k 4 -s 2 -p same  [dim]# ZeroPad2d + Conv2d[/dim]",
        'convcalc port --to keras convt -i 4 -k 4 -s 2 -p 1      [dim]# padding="same"[/dim]',
        "convcalc port --from onnx --to jax pool -i 32 -k 3 -s 2 -p 0:1 -f python",
        "convcalc port --to keras examples/dcgan_generator.yaml -f yaml > keras.yaml",
    )
)
def port(  # noqa: PLR0913 - the flags of one layer
    what: Annotated[str, typer.Argument(help="conv, convt, pool, or a network file.")],
    source: Annotated[
        str | None,
        typer.Option(
            "--from", help="The layer's framework: torch (default), keras (tf), onnx or jax; a file says its own."
        ),
    ] = None,
    target_framework: Annotated[
        str, typer.Option("--to", help="Where it goes: torch (default), keras, onnx or jax.")
    ] = "torch",
    size: Annotated[str | None, typer.Option("-i", "--input", help="Input size, as for the layer commands.")] = None,
    kernel: Annotated[str | None, typer.Option("-k", "--kernel", help="Kernel size.")] = None,
    stride: StrideOpt = None,
    padding: PaddingOpt = "0",
    dilation: DilationOpt = "1",
    output_padding: Annotated[str | None, typer.Option("-a", "--output-padding", help="output_padding.")] = None,
    ceil: Annotated[bool, typer.Option("--ceil", help="ceil_mode (pool).")] = False,  # noqa: FBT002
    mode: Annotated[str, typer.Option("--mode", help="max or avg (pool).")] = "max",
    dims: DimsOpt = None,
    batch: BatchOpt = "1",
    channels: ChannelsOpt = "1",
    out_channels: OutChannelsOpt = None,
    groups: GroupsOpt = "1",
    port_format: Annotated[str, typer.Option("-f", "--format", help="table, python, json or yaml.")] = "table",
) -> None:
    """Write the layers of one framework that give exactly what a layer or a network of another gives."""
    _exit(commands.run("port", dict(locals())))


@app.command(epilog="[bold]Example[/bold]\n\n  convcalc schema > network.schema.json")
def schema() -> None:
    """Print the JSON Schema of network files, for editors and validators."""
    _exit(commands.run("schema", {}))


def main(argv: list[str] | None = None) -> int:
    """Run the Typer app; usage errors become one line on stderr and exit code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:  # conv-transpose and deconv are convt
        args[0] = ALIASES[args[0]]
    try:
        code = app(args=args, prog_name="convcalc", standalone_mode=False)
    except typer.Exit as stop:
        return stop.exit_code
    except TyperException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # help was printed: not an error
            return ExitCode.OK
        say(f"convcalc: error: {error.format_message()}")
        return ExitCode.BAD_INPUT
    except typer.Abort:
        sys.stderr.write("convcalc: interrupted\n")
        return ExitCode.INTERRUPTED
    return code if isinstance(code, int) else ExitCode.OK

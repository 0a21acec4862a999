"""Every command and option of the command line, declared once: the fast path and the Typer app are made from it.

Plain data, without Typer: the fast path (fastpath.py) reads the spellings and which options
take a value; the Typer app (app.py) builds each command's signature, help and examples from
the same entries. Values stay strings: convcalc's own parsers check them and say what is
wrong in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from convcalc import LayerKind
from convcalc.api import Format


@dataclass(frozen=True, slots=True)
class Option:
    """One option or argument: the keyword it sets, its spellings, its help and its default.

    A switch takes no value (`--ceil`); `negation` spells its off form (`--no-bias`). An
    argument is positional; `many` takes one or more.
    """

    param: str
    names: tuple[str, ...]
    help: str
    default: str | bool | None = None
    required: bool = False
    switch: bool = False
    negation: str | None = None
    argument: bool = False
    many: bool = False
    metavar: str = "TEXT"
    hidden: bool = False  # an old spelling, still read, not shown
    choices: tuple[str, ...] = ()  # what shell completion offers for the value

    @property
    def shown(self) -> str:
        """Return what help writes after the option: its metavar, nothing for a switch, the name of an argument."""
        if self.switch:
            return ""
        return self.names[0] if self.argument else self.metavar

    def but(self, **changes: object) -> Option:
        """Return this option with some fields changed (the same flag with another help or default)."""
        return replace(self, **changes)  # type: ignore[arg-type]  # the changes are fields of the flags, by name


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its name, one-line summary, examples (for --help) and options in help order."""

    name: str
    summary: str
    examples: tuple[str, ...]
    options: tuple[Option, ...]

    @property
    def positional(self) -> Option | None:
        """Return the command's positional argument, if it has one."""
        return next((option for option in self.options if option.argument), None)


FRAMEWORKS = ("torch", "keras", "tf", "onnx", "jax")
SIZE = Option(
    "size", ("-i", "--input"), "Input size: 6, or per axis 6,8 / 6x8 / 5x320x320.", required=True, metavar="SIZE"
)
KERNEL = Option("kernel", ("-k", "--kernel"), "Kernel size, per axis like the input.", required=True, metavar="SIZE")
STRIDE = Option("stride", ("-s", "--stride"), "Stride (default 1).", metavar="SIZE")
PADDING = Option(
    "padding",
    ("-p", "--padding"),
    "Padding: 1, per axis 1,2, before:after 1:2 or 1:2x0:1 (negative crops: jax); or same, valid; causal"
    " (keras); SAME_LOWER (onnx, jax).",
    "0",
    metavar="PADDING",
)
DILATION = Option("dilation", ("-d", "--dilation"), "Dilation.", "1", metavar="SIZE")
DIMS = Option("dims", ("--dims",), "Spatial axes (1, 2 or 3) when every value is a scalar (default 2).", metavar="INT")
BATCH = Option("batch", ("--batch",), "Batch size N.", "1", metavar="INT")
CHANNELS = Option("channels", ("--channels",), "Input channels C.", "1", metavar="INT")
OUT_CHANNELS = Option("out_channels", ("--out-channels",), "Output channels (default: unchanged).", metavar="INT")
GROUPS = Option("groups", ("--groups",), "Groups, as in torch.nn.", "1", metavar="INT")
BIAS = Option("bias", ("--bias",), "Count a bias in the parameters.", default=True, switch=True, negation="--no-bias")
FORMAT = Option(
    "fmt",
    ("-f", "--format"),
    "Output: table, json, markdown or csv.",
    "table",
    metavar="FORMAT",
    choices=tuple(f.value for f in Format),
)
FRAMEWORK = Option(
    "framework",
    ("--framework",),
    "Whose rules: torch (default), keras (or tf), onnx or jax.",
    "torch",
    metavar="NAME",
    choices=FRAMEWORKS,
)
INPUT_SHAPE = Option(
    "input_shape",
    ("-i", "--input"),
    "Override the file's input shape, e.g. 1,3,256,256 (N, C, spatial).",
    metavar="SHAPE",
)
OUT_FILE = Option("out", ("-o", "--output"), "Write it to this file, not to stdout.", metavar="FILE")
TARGET = Option(
    "target",
    ("-t", "--target"),
    "Wanted output size: sets output_padding, as forward(output_size=...).",
    metavar="SIZE",
)
COST = (
    Option("dtype", ("--dtype",), "Memory per value: float32 (default), float16, bfloat16 or int8.", "float32",
           metavar="DTYPE", choices=("float32", "float16", "bfloat16", "int8")),
    Option("count", ("--count",), "torch: FLOPs as FlopCounterMode counts them; torchinfo: its Mult-Adds.", "torch",
           metavar="NAME", choices=("torch", "torchinfo")),
    Option("show_batch", ("--show-batch",), "Show the batch in the table's shapes.", default=False, switch=True),
    Option("param_percent", ("--param-percent",), "Add each layer's share of the parameters.", default=False,
           switch=True),
)  # fmt: skip
"""How `stack` counts cost and what its table adds."""
OUTPUT_PADDING = Option("output_padding", ("-a", "--output-padding"), "output_padding.", metavar="SIZE")
CEIL = Option("ceil", ("--ceil",), "ceil_mode (pool).", default=False, switch=True)
MODE = Option("mode", ("--mode",), "max, avg or lp (pool).", "max", metavar="MODE", choices=("max", "avg", "lp"))
FILE = Option(
    "file",
    ("FILE",),
    "A network file (YAML), a model (.onnx, .keras), or - for standard input.",
    argument=True,
    required=True,
)

LAYER_WORDS = {"conv": LayerKind.CONV, "convt": LayerKind.CONVTRANSPOSE, "pool": LayerKind.MAXPOOL}
"""The words for a layer kind: the layer commands, and what solve, explain and port take (pool's --mode picks
max or avg)."""
KINDS = tuple(LAYER_WORDS)
LAYER_COMMANDS = (
    Command(
        "conv",
        "Compute a direct convolution (Conv1d/2d/3d): output size, receptive field, uncovered cells.",
        (
            "convcalc conv -i 6 -k 2 -s 2 -p 1            [dim]# 6x6 → 4x4 (seed example 3)[/dim]",
            "convcalc conv -i 224 -k 7 -s 2 -p 3 --channels 3 --out-channels 64",
            "convcalc conv -i 5x320x320 -k 2x3x3 --format json   [dim]# 3-D, for scripts[/dim]",
            "convcalc conv -i 7 -k 4 -s 2 -p same --framework keras   [dim]# Keras' same[/dim]",
        ),
        (SIZE, KERNEL, STRIDE, PADDING, DILATION, DIMS, BATCH, CHANNELS, OUT_CHANNELS, GROUPS, BIAS, FORMAT, FRAMEWORK),
    ),
    Command(
        "convt",
        "Compute a transposed convolution (ConvTranspose1d/2d/3d) and the direct convolution that equals it.",
        (
            "convcalc convt -i 3 -k 2 -s 2                 [dim]# 3x3 → 6x6 (seed example 5)[/dim]",
            "convcalc convt --dims 1 -i 3 -k 3 -s 2 -p 1 -a 1   [dim]# undoes conv -i 6[/dim]",
            "convcalc convt -i 7 -k 3 -s 2 -p 1 --target 14   [dim]# finds output_padding 1[/dim]",
            "[dim]Also spelled conv-transpose and deconv.[/dim]",
        ),
        (
            SIZE,
            KERNEL,
            STRIDE,
            PADDING.but(
                help="Padding, cropped from the output: 1, per axis 1,2, before:after 1:2 or 1:2x0:1; same or valid"
                " with --framework keras, onnx or jax."
            ),
            DILATION,
            OUTPUT_PADDING.but(help="Extra output size on one side (output_padding)."),
            TARGET,
            DIMS,
            BATCH,
            CHANNELS,
            OUT_CHANNELS,
            GROUPS,
            BIAS,
            FORMAT,
            FRAMEWORK,
        ),
    ),
    Command(
        "pool",
        "Compute a pooling layer (MaxPool, AvgPool or LPPool, 1-D to 3-D), with PyTorch's ceil_mode rule.",
        (
            "convcalc pool -i 4x4 -k 2                      [dim]# max, stride = kernel: 2x2[/dim]",
            "convcalc pool -i 7 -k 2 --mode lp              [dim]# LPPool2d(2, 2): 3x3[/dim]",
            "convcalc pool -i 112 -k 3 -s 2 -p 1 --channels 64  [dim]# ResNet stem: 56x56[/dim]",
            "convcalc pool -i 5 -k 3 -s 2 -p 1 --ceil --mode avg",
        ),
        (
            SIZE,
            KERNEL,
            STRIDE.but(help="Stride (default: the kernel size; 1 with --framework onnx)."),
            PADDING.but(
                help="Padding: 1, per axis 1,2, before:after 1:2 (torch: at most half the kernel); same or valid with"
                " --framework keras, onnx or jax."
            ),
            DILATION,
            CEIL.but(help="ceil_mode: round the output size up."),
            MODE.but(help="max, avg or lp (LPPool, LpPool)."),
            DIMS,
            BATCH,
            CHANNELS,
            FORMAT,
            FRAMEWORK,
        ),
    ),
)

NETWORK_COMMANDS = (
    Command(
        "stack",
        "Compute every layer of a network file: shapes, receptive field, jump, equivalent convolutions.",
        (
            "convcalc stack examples/resnet_stem.yaml",
            "convcalc stack examples/unet_decoder.yaml --format markdown   [dim]# for a PR[/dim]",
            "cat net.yaml | convcalc stack - --input 1,3,512,512 --format json",
            "convcalc stack examples/unet.yaml --dtype float16 --show-batch",
            "convcalc stack examples/dcgan_generator.yaml --count torchinfo",
        ),
        (FILE, INPUT_SHAPE, FORMAT, *COST),
    ),
    Command(
        "examples",
        "List the example networks shipped with convcalc, or print one (to read, copy or pipe into stack).",
        (
            "convcalc examples                      [dim]# one line each[/dim]",
            "convcalc examples unet | convcalc stack -",
            "convcalc examples models/resnet50 > resnet50.yaml",
        ),
        (Option("name", ("NAME",), "An example's name, as the list gives it.", argument=True),),
    ),
    Command(
        "check",
        "Check network files for CI: one line when every layer is valid and every expect holds; exit 1 on a"
        " failing layer, 2 on a malformed file.",
        (
            "convcalc check examples/*.yaml              [dim]# one line when all pass[/dim]",
            "convcalc check models/*.yaml --input 1,3,512,512 --no-expect",
            "convcalc check net.yaml || echo 'a shape is wrong'",
            "convcalc check examples/*.yaml --format github   [dim]# PR annotations[/dim]",
            "convcalc check examples/*.yaml -f junit > report.xml",
        ),
        (
            Option("files", ("FILES",), "Network files (YAML); - reads standard input.", argument=True, many=True),
            INPUT_SHAPE,
            FORMAT.but(
                help="Report: text, json, github (annotations) or junit (XML).",
                default="text",
                choices=("text", "json", "github", "junit"),
            ),
            Option("quiet", ("-q", "--quiet"), "Print nothing when every file passes.", default=False, switch=True),
            Option(
                "no_expect",
                ("--no-expect",),
                "Check only that every layer is valid (expect lines hold at the file's own input).",
                default=False,
                switch=True,
            ),
        ),
    ),
    Command(
        "solve",
        "Find the kernel, stride, padding and dilation that map an input size to an output size.",
        (
            "convcalc solve conv -i 224 -t 112              [dim]# k3 s2 p1 first[/dim]",
            "convcalc solve convt -i 7 -t 15 -k 2..4 --format json",
            "convcalc solve pool -i 13x9 -t 7x5 -s 2 --mode avg --max-padding 1",
        ),
        (
            Option("kind", ("KIND",), "conv, convt or pool.", argument=True, required=True, choices=KINDS),
            SIZE,
            TARGET.but(help="Wanted output size, per axis like the input (required)."),
            Option("output", ("-o", "--output"), "Old spelling of --target.", hidden=True, metavar="SIZE"),
            Option("kernel", ("-k", "--kernel"), "Kernel sizes to try: low..high, or one.", "1..7", metavar="RANGE"),
            Option("stride", ("-s", "--stride"), "Strides to try: low..high, or one.", "1..4", metavar="RANGE"),
            Option("dilation", ("-d", "--dilation"), "Dilations to try: low..high, or one.", "1..3", metavar="RANGE"),
            Option("max_padding", ("--max-padding",), "Most padding on one side.", "4", metavar="INT"),
            Option(
                "symmetric_only",
                ("--symmetric-only",),
                "Only the same padding before and after.",
                default=False,
                switch=True,
            ),
            MODE.but(help="For pool: max or avg."),
            DIMS,
            Option("limit", ("--limit",), "Show at most this many.", "10", metavar="INT"),
            FORMAT,
            FRAMEWORK,
        ),
    ),
    Command(
        "mirror",
        "Write the decoder that restores every shape of an encoder: transposed layers in reverse, with expect lines.",
        (
            "convcalc mirror examples/vgg16_features.yaml            [dim]# the decoder[/dim]",
            "convcalc mirror encoder.yaml -o decoder.yaml && convcalc check decoder.yaml",
            "convcalc mirror examples/conv1d_autoencoder.yaml --input 8,1,256",
        ),
        (
            FILE.but(help="An encoder network file (YAML), or - for standard input."),
            INPUT_SHAPE,
            OUT_FILE.but(help="Write the decoder to this file, not to stdout."),
        ),
    ),
    Command(
        "import",
        "Write the network file of an ONNX model (a layer per node), a Keras model (.keras or to_json(), a layer"
        " per layer) or a PyTorch model (a layer per fx node). `import torch` imports the module and calls the"
        " factory, running their code as `python -c` would; its prints go to stderr.",
        (
            "convcalc import model.onnx -i 1,3,224,224 --expect -o model.yaml",
            "convcalc import model.onnx --input 1,3,512,512   [dim]# the file, on stdout[/dim]",
            "convcalc stack model.onnx --input 1,3,224,224    [dim]# or read it directly[/dim]",
            "convcalc import model.keras -i 1,3,224,224 -o model.yaml   [dim]# N, C, H, W[/dim]",
            "convcalc import torch torchvision.models:resnet18 -i 1,3,224,224 --expect",
            "convcalc import torch timm:create_model --args '[\"resnet18\"]' -i 1,3,256,256",
            "convcalc import torch mymodels.py:unet -i 1,3,572,572   # your own file",
        ),
        (
            Option(
                "sources",
                ("SOURCE",),
                "MODEL.onnx (its weights file may be absent), MODEL.keras, MODEL.json (model.to_json()), or:"
                " torch PACKAGE.MODULE:FACTORY (or FILE.py:FACTORY; the working directory is on the path).",
                argument=True,
                many=True,
            ),
            INPUT_SHAPE.but(help="The input shape, e.g. 1,3,224,224 (torch: needed; ONNX, Keras: for open sizes)."),
            OUT_FILE.but(help="Write the network file to this file, not to stdout."),
            Option(
                "expect", ("--expect",), "Write each layer's output shape as its expect.", default=False, switch=True
            ),
            Option("arguments", ("--args",), "torch: the factory's arguments, a JSON object or list.", metavar="JSON"),
        ),
    ),
    Command(
        "sizes",
        "List the input sizes a network accepts, and those that come back out at the same size.",
        (
            "convcalc sizes examples/vgg16_features.yaml                [dim]# 32 to 1024[/dim]",
            "convcalc sizes examples/conv1d_autoencoder.yaml -r 1:4096  [dim]# out = in: 8k[/dim]",
            "convcalc sizes examples/seed001_motion_detector.yaml -r 1:16,1:99,1:99",
        ),
        (
            FILE,
            Option(
                "size_range",
                ("-r", "--range"),
                "Input sizes to try: low:high, or one per axis (1:64,1:512).",
                "1:1024",
                metavar="RANGE",
            ),
            FORMAT,
        ),
    ),
    Command(
        "explain",
        "Draw how a layer computes its output: the windows, the transposed recipe step by step, the matrix.",
        (
            "convcalc explain conv -i 5 -k 2 -s 2             [dim]# seed 000, example 4[/dim]",
            "convcalc explain convt -i 3 -k 2 -s 2 -p 1 --svg recipe.svg   [dim]# the recipe[/dim]",
            "convcalc explain conv --dims 1 -i 5 -k 3 --matrix   [dim]# as a matrix[/dim]",
            "convcalc explain convt -i 3 -k 2 -s 2 --gif ex5.gif   [dim]# seed 000, ex. 5[/dim]",
            "convcalc explain conv -i 6 -k 2 -s 2 -p 1 --html ex3.html   [dim]# play, hover[/dim]",
            "convcalc explain examples/unet_decoder.yaml --layer up1",
            "convcalc explain examples/unet_decoder.yaml --html unet.html   [dim]# each layer[/dim]",
        ),
        (
            Option(
                "what",
                ("WHAT",),
                "conv, convt or pool (with the layer flags), or a network file.",
                argument=True,
                required=True,
            ),
            SIZE.but(help="Input size, as for the layer commands.", required=False),
            KERNEL.but(help="Kernel size.", required=False),
            STRIDE.but(help="Stride (default 1; for pool, the kernel size)."),
            PADDING.but(default=None),
            DILATION.but(default=None),
            OUTPUT_PADDING.but(help="output_padding (convt)."),
            TARGET.but(help="Wanted output size (convt): sets output_padding."),
            CEIL,
            MODE.but(default=None),
            DIMS,
            BATCH.but(default=None),
            CHANNELS.but(default=None),
            Option("layer", ("--layer",), "With a file: the layer's index or name.", metavar="LAYER"),
            Option("matrix", ("--matrix",), "Also show the layer as a sparse matrix.", default=False, switch=True),
            Option("svg", ("--svg",), "Also save the picture as an SVG file.", metavar="FILE"),
            Option("gif", ("--gif",), "Also save the kernel's stops as an animated GIF (Pillow).", metavar="FILE"),
            Option(
                "html",
                ("--html",),
                "Also save a page that plays the stops; with a file and no --layer, every layer.",
                metavar="FILE",
            ),
            FRAMEWORK.but(help="Whose rules: torch (default), keras (or tf), onnx or jax.", default=None),
        ),
    ),
    Command(
        "port",
        "Write the layers of one framework that give exactly what a layer or a network of another gives.",
        (
            "convcalc port --from keras conv -i 7 -k 4 -s 2 -p same  [dim]# ZeroPad2d + Conv2d[/dim]",
            'convcalc port --to keras convt -i 4 -k 4 -s 2 -p 1      [dim]# padding="same"[/dim]',
            "convcalc port --from onnx --to jax pool -i 32 -k 3 -s 2 -p 0:1 -f python",
            "convcalc port --to keras examples/dcgan_generator.yaml -f yaml > keras.yaml",
        ),
        (
            Option("what", ("WHAT",), "conv, convt, pool, or a network file.", argument=True, required=True),
            Option(
                "source",
                ("--from",),
                "The layer's framework: torch (default), keras (tf), onnx or jax; a file says its own.",
                metavar="NAME",
                choices=FRAMEWORKS,
            ),
            Option(
                "target_framework",
                ("--to",),
                "Where it goes: torch (default), keras, onnx or jax.",
                "torch",
                metavar="NAME",
                choices=FRAMEWORKS,
            ),
            SIZE.but(help="Input size, as for the layer commands.", required=False),
            KERNEL.but(help="Kernel size.", required=False),
            STRIDE.but(help="Stride (default 1; for pool, the kernel size)."),
            PADDING.but(help="Padding, in the --from framework's terms: 1, per axis 1,2, before:after 1:2, or a word."),
            DILATION,
            OUTPUT_PADDING,
            CEIL,
            MODE,
            DIMS,
            BATCH,
            CHANNELS,
            OUT_CHANNELS,
            GROUPS,
            FORMAT.but(
                param="port_format",
                help="Output: table, python, json or yaml.",
                choices=("table", "python", "json", "yaml"),
            ),
        ),
    ),
    Command(
        "schema",
        "Print the JSON Schema of network files, for editors and validators.",
        ("convcalc schema > network.schema.json",),
        (),
    ),
)

COMMANDS = {command.name: command for command in (*LAYER_COMMANDS, *NETWORK_COMMANDS)}
"""Every command by name, in the order of `convcalc --help`."""

ALIASES = {"conv-transpose": "convt", "deconv": "convt"}
"""Other spellings of a command, and of a layer word wherever one is taken."""


def layer_kind(word: str) -> LayerKind | None:
    """Return the kind a layer word (or its other spelling) names; None for another word, such as a file's name."""
    return LAYER_WORDS.get(ALIASES.get(word, word))

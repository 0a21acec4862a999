"""Trace a PyTorch model with torch.fx at one input's sizes: sizes read off tensors are numbers.

torch.fx's symbolic trace stops where `forward` branches on a size (`if H % 8:`, `math.ceil(H /
p)`, `torch.autocast(x.device.type)`, a loop over `x.shape[1]`), because a size is a proxy
there. This tracer carries each node's value along on fake tensors (no memory for activations):
`x.shape`, `x.size()`, `x.dim()`, `x.device`, `x.dtype` give the value at the traced input, so
Python's own control flow runs as it would for that input, and the graph holds the branch taken
with its sizes as numbers. An argument with a default that is not a tensor (RAFT's
`num_flow_updates=12`) keeps its default. torch is imported by the caller.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Iterator
from typing import Any

SIZE_ATTRIBUTES = frozenset({"shape", "ndim", "device", "dtype", "is_cuda", "layout", "requires_grad", "is_sparse"})
"""Tensor attributes read as their value at the traced input."""
SIZE_METHODS = frozenset({"size", "dim", "numel", "ndimension", "nelement", "is_floating_point", "get_device",
                          "is_contiguous", "element_size", "is_complex"})  # fmt: skip
"""Tensor methods called on the value at the traced input."""


def concrete_tracer(fx: Any, torch: Any, base: Any, inputs: list[Any]) -> Any:  # an fx.Tracer subclass
    """Return a tracer class of `base` (an fx.Tracer) that reads sizes at these input tensors.

    `inputs` are the model's tensor inputs in order (zeros of the traced shape); each
    placeholder without a default takes the next.
    """
    fake = torch._subclasses.fake_tensor  # noqa: SLF001 - torch's fake tensors: values without memory
    mode = fake.FakeTensorMode(allow_non_fake_inputs=True)
    proxy = type("ConcreteProxy", (_SizesAtInput, fx.Proxy), {"tensor": torch.Tensor})
    given = iter([mode.from_tensor(tensor) for tensor in inputs])
    return type("ConcreteTracer", (_TracingAtInput, base), {"made": (fx, torch, mode, proxy, given)})


class _SizesAtInput:
    """An fx.Proxy that answers size questions with the value at the traced input."""

    tensor: Any  # torch.Tensor
    tracer: Any
    node: Any

    def _value(self) -> Any:
        return self.tracer.values.get(self.node)

    def __getattr__(self, attr: str) -> Any:
        value = self._value()
        if isinstance(value, self.tensor) and (attr in SIZE_ATTRIBUTES or attr in SIZE_METHODS):
            return getattr(value, attr)
        return super().__getattr__(attr)  # type: ignore[misc]  # fx.Proxy's, after this in the class made

    def __len__(self) -> int:
        value = self._value()
        if isinstance(value, self.tensor | tuple | list):
            return len(value)
        return int(super().__len__())  # type: ignore[misc]  # as above

    def __iter__(self) -> Iterator[Any]:
        value = self._value()
        if isinstance(value, self.tensor | tuple | list):
            return iter([self[i] for i in range(len(value))])  # type: ignore[index]  # fx.Proxy's getitem
        return iter(super().__iter__())  # type: ignore[misc]  # as above


class _TracingAtInput:
    """An fx.Tracer that carries each node's value on fake tensors (the class made gives torch and the inputs)."""

    made: tuple[Any, Any, Any, type, Iterator[Any]]  # fx, torch, the fake mode, the proxy class, the inputs left
    root: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.values: dict[Any, Any] = {}
        self.evaluating = False

    def proxy(self, node: Any) -> Any:
        return self.made[3](node, self)

    def getattr(self, attr: str, attr_val: Any, parameter_proxy_cache: dict[str, Any]) -> Any:
        if self.evaluating:  # a module's own forward, run for its value: its real parameters
            return attr_val
        return super().getattr(attr, attr_val, parameter_proxy_cache)  # type: ignore[misc]  # fx.Tracer's

    def call_module(self, m: Any, forward: Any, args: Any, kwargs: Any) -> Any:
        if self.evaluating:
            return forward(*args, **kwargs)
        return super().call_module(m, forward, args, kwargs)  # type: ignore[misc]  # as above

    def create_proxy(self, kind: str, target: Any, args: Any, kwargs: Any, *rest: Any, **more: Any) -> Any:
        torch = self.made[1]
        if kind == "placeholder" and args and not isinstance(args[0], torch.Tensor):
            return args[0]  # an argument with a default (num_flow_updates=12, attn_mask=None): the default
        proxy = super().create_proxy(kind, target, args, kwargs, *rest, **more)  # type: ignore[misc]  # as above
        if kind == "placeholder":
            self.values[proxy.node] = next(self.made[4], None)
        elif kind != "output":
            with contextlib.suppress(Exception):  # a value fake tensors cannot give: sizes after it stay proxies
                self.values[proxy.node] = self._evaluate(kind, target, args, kwargs)
        return proxy

    def _evaluate(self, kind: str, target: Any, args: Any, kwargs: Any) -> Any:
        fx, torch, mode, _, _ = self.made
        args, kwargs = fx.node.map_aggregate(args, self._known), fx.node.map_aggregate(kwargs, self._known)
        self.evaluating = True
        try:
            with mode, torch.no_grad():
                if kind == "get_attr":
                    return operator.attrgetter(target)(self.root)
                if kind == "call_module":
                    return self.root.get_submodule(target).forward(*args, **kwargs)
                if kind == "call_method":
                    return getattr(args[0], target)(*args[1:], **kwargs)
                return target(*args, **kwargs)
        finally:
            self.evaluating = False

    def _known(self, item: Any) -> Any:
        """Return a proxy's value (LookupError when it has none), anything else as it is."""
        if isinstance(item, self.made[0].Proxy):
            return self.values[item.node]  # a KeyError when it has none: this node's value is not known either
        return item

"""The story format (version 1): variables, hosts and outputs, loaded strictly.

A story is validated by *drawing* it: a probe variant is drawn with a fixed seed and
every output's parameters are rendered and checked by its generator. So an undefined
variable, an impossible constraint or an unknown field is reported with file:line by
``dflab validate``, not when a class is starting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from runner.errors import InputError
from runner.generate.hosts import Host, HostSpec, make_host
from runner.generate.registry import GenContext, output_params, registry
from runner.generate.seeds import rng_for
from runner.generate.variables import Draw, VarSpec, placeholders, render_any
from runner.scenario.model import Ident, LocalText, Strict
from runner.scenario.problems import Collector, ScenarioError
from runner.scenario.strict import validate_model
from runner.scenario.yamlsrc import PathKey, Source, load_source

PROBE_SEED = 0


class Story(Strict):
    """A story file (or an inline story under an evidence entry's ``generate:``)."""

    schema_version: Literal[1] = 1
    id: Ident
    title: LocalText = ""
    description: LocalText = ""
    variables: dict[Ident, VarSpec] = Field(default_factory=dict)
    hosts: dict[Ident, dict[str, Any]] = Field(
        default_factory=dict, description="Host specs (see HostSpec); values may use {{vars}}.")
    outputs: dict[Ident, dict[str, Any]] = Field(
        min_length=1, description="Output name -> {kind: GENERATOR, ...its parameters}.")


@dataclass(frozen=True)
class LoadedStory:
    """A valid story and where it came from."""

    model: Story
    source: Source | None
    path: Path  # the story file, or the scenario holding an inline story
    base_dir: Path
    at: PathKey = ()

    @property
    def id(self) -> str:
        return self.model.id


@dataclass(frozen=True)
class Drawn:
    """One variant's story values before any output is generated."""

    values: dict[str, Any]
    hosts: dict[str, Host]
    params: dict[str, BaseModel]


def load_story(path: Path) -> LoadedStory:
    """Load and validate a story file; raise :class:`ScenarioError` listing every problem."""
    source = load_source(path)
    out = Collector(source, path)
    story = check_story(source.data, out, (), path.parent, source, path)
    if story is None or out.errors:
        raise ScenarioError(out.items)
    return story


def check_story(data: Any, out: Collector, at: PathKey, base_dir: Path,
                source: Source | None, path: Path) -> LoadedStory | None:
    """Validate story data found at ``at`` (a file's top level or inline), adding problems."""
    if not isinstance(data, Mapping):
        out.add(at, "a story must be a mapping", "start with 'id:', 'variables:', 'outputs:'")
        return None
    model = validate_model(Story, dict(data), out, at)
    if model is None:
        return None
    loaded = LoadedStory(model, source, path, base_dir, at)
    _check_names(model, out, at)
    try:
        draw(loaded, PROBE_SEED, out)
    except InputError as exc:
        out.add(at, exc.message, exc.fix or "")
    return loaded if not out.errors else None


def _check_names(model: Story, out: Collector, at: PathKey) -> None:
    seen: dict[str, str] = {}
    for group, names in (("variables", model.variables), ("hosts", model.hosts)):
        for name in names:
            if name in seen:
                out.add((*at, group, name), f"'{name}' is already a name in '{seen[name]}'",
                        "give every variable and host its own name")
            seen[name] = group
    for name, spec in model.outputs.items():
        if "kind" not in spec:
            out.add((*at, "outputs", name), "'kind' is required",
                    f"add 'kind:', one of: {', '.join(registry().names())}")


def draw(story: LoadedStory, seed: int, out: Collector | None = None) -> Drawn:
    """Draw a variant's variables and hosts and validate every output's parameters.

    With ``out``, a problem is added there (with its line) and drawing goes on where it
    can; without it the first problem raises :class:`InputError`.
    """
    model, at = story.model, story.at
    drawing = Draw(rng_for(seed, model.id, "variables"))
    for name, spec in model.variables.items():
        _guard(out, (*at, "variables", name), lambda n=name, s=spec: drawing.add(n, s))
    values = drawing.values
    hosts: dict[str, Host] = {}
    if out is not None and out.errors:
        return Drawn(values, hosts, {})  # later parts would only repeat these problems
    host_rng = rng_for(seed, model.id, "hosts")
    for key, raw in model.hosts.items():
        where = (*at, "hosts", key)
        spec = _validated(HostSpec, _guard(out, where, lambda r=raw: render_any(r, values)),
                          out, where)
        if spec is not None:
            hosts[key] = make_host(key, spec, host_rng)
            values[key] = hosts[key].values()
    params: dict[str, BaseModel] = {}
    if out is not None and out.errors:
        return Drawn(values, hosts, params)
    for name, output in model.outputs.items():
        where = (*at, "outputs", name)
        if "kind" not in output:
            continue
        generator = _guard(out, (*where, "kind"), lambda k=output["kind"]: registry().get(k))
        if generator is None:
            continue
        missing = {p.split(".")[0] for p in placeholders(output)} - set(values)
        for unknown in sorted(missing):
            _fail(out, where, f"'{{{{{unknown}}}}}' names no variable, host or event",
                  f"define '{unknown}' under 'variables:' or 'hosts:'")
        if missing:
            continue  # rendering would only report the same names again
        rendered = _guard(out, where, lambda o=output: render_any(output_params(o), values))
        checked = _validated(generator.Params, rendered, out, where, extra=("kind",))
        if checked is not None:
            params[name] = checked
            ctx = GenContext(model.id, seed, name, story.base_dir, values, hosts,
                             earlier=_earlier(model, name))
            _guard(out, where, lambda g=generator, c=checked, x=ctx: g.check(c, x))
    return Drawn(values, hosts, params)


def context(story: LoadedStory, seed: int, output: str, drawn: Drawn,
            files: dict[str, Path] | None = None,
            carry_dir: Path | None = None) -> GenContext:
    """The context one output's generator runs in (``files``: the earlier outputs';
    ``carry_dir``: see GenContext)."""
    return GenContext(story.id, seed, output, story.base_dir, drawn.values, drawn.hosts,
                      earlier=_earlier(story.model, output), files=dict(files or {}),
                      carry_dir=carry_dir)


def _earlier(model: Story, output: str) -> dict[str, str]:
    names = list(model.outputs)
    return {n: str(model.outputs[n].get("kind", "")) for n in names[:names.index(output)]}


def _guard(out: Collector | None, where: PathKey, action: Any) -> Any:
    try:
        return action()
    except InputError as exc:
        _fail(out, where, exc.message, exc.fix or "")
        return None


def _fail(out: Collector | None, where: PathKey, message: str, fix: str) -> None:
    if out is None:
        raise InputError(message, fix=fix or None)
    out.add(where, message, fix)


def _validated(model: type[Any], data: Any, out: Collector | None, where: PathKey,
               extra: tuple[str, ...] = ()) -> Any:
    if data is None:
        return None
    probe = out if out is not None else Collector(None, Path("story"))
    result = validate_model(model, data, probe, where, extra_keys=extra)
    if result is None and out is None:
        first = probe.errors[0]
        raise InputError(f"{first.field}: {first.message}", fix=first.fix or None)
    return result

"""Generator config schemas: what an instructor may set, with defaults and clear errors."""

import json
import math
from dataclasses import dataclass, field

import numpy as np


class ConfigError(ValueError):
    """A config an instructor wrote is not usable; the message says what is wrong and what is allowed."""


@dataclass(frozen=True)
class Field:
    """One setting of a generator.

    ``kind`` is "int", "float", "choice", "bool" or "json" (any JSON value, checked by the
    generator's own ``check_config``). ``choices`` lists the allowed values of a "choice".
    """

    name: str
    kind: str
    default: object
    help: str
    choices: tuple = ()
    min: float | None = None
    max: float | None = None

    def clean(self, value):
        """The value converted to the field's type; raises ConfigError naming the field."""
        label = f"“{self.name}”"
        if self.kind == "int":
            if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
                    or int(value) != value):
                raise ConfigError(f"{label} must be a whole number, not {json.dumps(value)}.")
            value = int(value)
        elif self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ConfigError(f"{label} must be a finite number, not {json.dumps(value)}.")
            value = float(value)
        elif self.kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(f"{label} must be true or false, not {json.dumps(value)}.")
        elif self.kind == "choice":
            if value not in self.choices:
                allowed = ", ".join(json.dumps(c) for c in self.choices)
                raise ConfigError(f"{label} must be one of {allowed}; got {json.dumps(value)}.")
        if self.kind in ("int", "float"):
            if self.min is not None and value < self.min:
                raise ConfigError(f"{label} must be at least {self.min}; got {value}.")
            if self.max is not None and value > self.max:
                raise ConfigError(f"{label} must be at most {self.max}; got {value}.")
        return value

    def describe(self) -> dict:
        data = {"name": self.name, "kind": self.kind, "default": self.default, "help": self.help}
        if self.choices:
            data["choices"] = list(self.choices)
        if self.min is not None:
            data["min"] = self.min
        if self.max is not None:
            data["max"] = self.max
        return data


def check_index(config: dict, index: str, size: str) -> None:
    """ConfigError unless the 0-based ``config[index]`` is below ``config[size]`` (e.g. the asked
    "index" of "hidden_size" entries); the fields' own bounds already keep it at least 0."""
    if config[index] >= config[size]:
        raise ConfigError(f"“{index}” counts from 0, so it must be between 0 and {config[size] - 1} "
                          f"(“{size}” is {config[size]}); got {config[index]}.")


@dataclass(frozen=True)
class Renamed:
    """A setting that was renamed when its numbering changed from 1-based to 0-based: a config that
    still says ``old`` (an instructor's saved config) means ``new`` = old value − 1."""

    old: str
    new: str

    def apply(self, config: dict) -> dict:
        if self.old not in config:
            return config
        if self.new in config:
            raise ConfigError(f"“{self.old}” is the old name of “{self.new}” (which counts from 0): give only "
                              f"“{self.new}”.")
        value = config[self.old]
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            raise ConfigError(f"“{self.old}” (now “{self.new}”, counting from 0) must be a whole number, not "
                              f"{json.dumps(value)}.")
        return {**{k: v for k, v in config.items() if k != self.old}, self.new: int(value) - 1}


def legacy_index(config: dict, new: str, renamed: "Renamed") -> int:
    """The 0-based index a cleaned config asks for: ``config[new]``, or for a config cleaned before the
    rename (stored with an old variant) its 1-based ``config[old]`` − 1."""
    return config[new] if new in config else int(config[renamed.old]) - 1


FIXED = Field(
    "fixed",
    "json",
    {},
    'Fixed values for any parameter, e.g. {"x": [1, 2]} to reproduce a lecture slide\'s example; '
    "a fixed value must have the parameter's shape.",
)


@dataclass(frozen=True)
class Schema:
    fields: tuple[Field, ...] = field(default_factory=tuple)
    renamed: tuple[Renamed, ...] = ()

    def clean(self, config) -> dict:
        """Defaults filled in, every value checked; unknown keys are refused, listing the known ones."""
        if config is None:
            config = {}
        if not isinstance(config, dict):
            raise ConfigError('The config must be a JSON object, e.g. {"activation": "sigmoid"}.')
        for rename in self.renamed:
            config = rename.apply(config)
        known = {f.name: f for f in (*self.fields, FIXED)}
        unknown = sorted(set(config) - set(known))
        if unknown:
            raise ConfigError(
                f"Unknown setting {', '.join(map(json.dumps, unknown))}; known settings: {', '.join(known)}."
            )
        cleaned = {}
        for name, spec in known.items():
            cleaned[name] = spec.clean(config[name]) if name in config else spec.default
        if not isinstance(cleaned["fixed"], dict):
            raise ConfigError("“fixed” must be a JSON object of parameter name → value.")
        for name, value in cleaned["fixed"].items():
            _check_fixed(name, value)
        return cleaned

    def describe(self) -> list[dict]:
        return [f.describe() for f in (*self.fields, FIXED)]


def _check_fixed(name: str, value) -> None:
    """A fixed value is a finite number or a rectangular (nested) list of finite numbers."""
    message = f"The fixed value of “{name}” must be a finite number or a (nested) list of finite numbers."
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(message + " Rows must have equal lengths.") from None
    if isinstance(value, bool) or array.dtype != np.float64 or not np.all(np.isfinite(array)):
        raise ConfigError(message)

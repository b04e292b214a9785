"""A safe YAML loader with YAML 1.2 booleans, shared by every file Bagalau reads (rulebooks, scenarios).

PyYAML follows YAML 1.1, where ``on``, ``off``, ``yes`` and ``no`` are booleans; other loaders read them as text.
With this loader only ``true``/``false`` are booleans, so every tool reads our files the same way.
"""

from __future__ import annotations

import re

import yaml

BOOL_TAG = "tag:yaml.org,2002:bool"


class Yaml12Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose only booleans are true/false (any case form YAML 1.2 allows)."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != BOOL_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


Yaml12Loader.add_implicit_resolver(BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

"""YAML for the files a steward writes (manifests, mappings): safe_load, with work bounded.

An alias repeats the node it names; nested, a few lines of YAML expand to billions of nodes (the
"billion laughs"). The loader counts every node as it would be built, aliases included, and refuses
a document that would build more than MAX_NODES; nothing is built before the count is known.
"""

from __future__ import annotations

import yaml
from yaml.nodes import MappingNode, SequenceNode

MAX_NODES = 200_000  # a national manifest or mapping has a few hundred


class TooBig(yaml.YAMLError):
    pass


def _size(node, memo: dict[int, int], depth: int = 0) -> int:
    """Nodes the constructor would build from `node`, an alias counted as often as it appears."""
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > 200:
        raise TooBig("te diep genest")
    memo[key] = MAX_NODES + 1  # a node that contains itself (a recursive alias) is too big
    if isinstance(node, SequenceNode):
        size = 1 + sum(_size(n, memo, depth + 1) for n in node.value)
    elif isinstance(node, MappingNode):
        size = 1 + sum(_size(k, memo, depth + 1) + _size(v, memo, depth + 1) for k, v in node.value)
    else:
        size = 1
    if size > MAX_NODES:
        raise TooBig(f"meer dan {MAX_NODES:,} waarden na het uitvouwen van ankers en aliassen".replace(",", "."))
    memo[key] = size
    return size


def load(text: str):
    """yaml.safe_load with the node count bounded; raises yaml.YAMLError (TooBig included)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _size(node, {})
        return loader.construct_document(node)
    finally:
        loader.dispose()

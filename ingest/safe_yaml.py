"""YAML for the files a steward writes (manifests, mappings): safe_load, with work bounded.

An alias repeats the node it names; nested, a few lines of YAML expand to billions of nodes (the
"billion laughs"). The loader counts every node as it would be built, aliases included, and refuses
a document that would build more than MAX_NODES; nothing is built before the count is known.
"""

from __future__ import annotations

import stat
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, SequenceNode

from .errors import FatalInput

MAX_NODES = 200_000  # a national manifest or mapping has a few hundred
MAX_BYTES = 1 << 20  # a manifest or mapping is a few kilobytes
SPECIAL = (Path("/proc"), Path("/sys"), Path("/dev"))  # endless, blocking or changing bytes


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


def special(path: Path, mode: int, folder_ok: bool = False) -> bool:
    """Not a file to read: a device, FIFO or socket, or anything under /proc, /sys or /dev."""
    real = path.resolve()
    ordinary = stat.S_ISREG(mode) or (folder_ok and stat.S_ISDIR(mode))
    return not ordinary or any(real == s or s in real.parents for s in SPECIAL)


def read_text(path: Path, what: str) -> str:
    """The text of a steward's YAML file (`what`: manifest, mapping), checked before it is read:
    a regular file of at most MAX_BYTES in UTF-8."""
    try:
        info = path.stat()
    except OSError:
        raise FatalInput(path, f"{what} bestaat niet") from None
    if special(path, info.st_mode):
        raise FatalInput(path, f"{what} is geen gewoon bestand; niet gelezen")
    if info.st_size > MAX_BYTES:
        raise FatalInput(path, f"{what} is groter dan {MAX_BYTES >> 20} MB; niet gelezen")
    try:
        return path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise FatalInput(path, f"{what} kan niet gelezen worden ({exc.__class__.__name__})") from None


def load(text: str):
    """yaml.safe_load with the node count bounded; raises yaml.YAMLError (TooBig included)."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()  # PyYAML composes recursively: deep nesting ends here
        except RecursionError:
            raise TooBig("te diep genest") from None
        if node is None:
            return None
        _size(node, {})
        return loader.construct_document(node)
    finally:
        loader.dispose()

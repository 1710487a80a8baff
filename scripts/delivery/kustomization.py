"""Reading and editing the `images:` entry of a service's kustomization, as a ruamel.yaml round trip.

Comments, key order, quoting and indentation are kept, and an edit changes exactly one line. An entry carries
either `newTag` or `digest`, never both: setting a digest (`sha256:<64 hex>`) replaces the `newTag` line with a
`digest` line, and setting a tag replaces a `digest` line with `newTag`. A digest left next to a new tag would
keep deploying the old image (the digest wins when the image is pulled), and a tag left next to a new digest
would name an image that is not the one deployed.

Pure: text in, text out; reading and writing the files is bump.py's.
"""

from __future__ import annotations

import difflib
import io
import re

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

TAG_KEY = "newTag"
DIGEST_KEY = "digest"


class BumpError(Exception):
    """Anything that stops a bump or the reading of an image; its message is the one line printed on stderr."""


# Indentation styles to try, most common first: (mapping, sequence, offset of the dash).
_INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 3, 1))


def _yaml(mapping: int, sequence: int, offset: int, explicit_start: bool) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.explicit_start = explicit_start
    return yaml


def _dump(yaml: YAML, data: object) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _round_trip(text: str, where: str) -> tuple[YAML, CommentedMap]:
    """Load `text` with the indentation style that dumps it back byte for byte."""
    explicit_start = text.lstrip().startswith("---")
    for indent in _INDENTS:
        yaml = _yaml(*indent, explicit_start=explicit_start)
        try:
            data = yaml.load(text)
        except YAMLError as exc:
            first = str(exc).strip().splitlines()[0]
            raise BumpError(f"{where}: not valid YAML ({first})") from None
        if _dump(yaml, data) == text:
            if not isinstance(data, CommentedMap):
                raise BumpError(f"{where}: expected a kustomization (a YAML mapping)")
            return yaml, data
    raise BumpError(f"{where}: cannot be edited without reformatting it; keep one YAML style (2-space indent)")


def _image_entry(data: CommentedMap, service: str, where: str) -> CommentedMap:
    images = data.get("images")
    if not isinstance(images, CommentedSeq):
        raise BumpError(f"{where}: has no images: list")
    entries = [e for e in images if isinstance(e, CommentedMap) and e.get("name") == service]
    if len(entries) != 1:
        raise BumpError(f"{where}: expected one images entry named {service!r}, found {len(entries)}")
    return entries[0]


def _styled(value: str, like: object) -> str:
    """`value` in the quoting style of the scalar it replaces (double quotes for a new key)."""
    if isinstance(like, SingleQuotedScalarString):
        return SingleQuotedScalarString(value)
    if isinstance(like, DoubleQuotedScalarString) or like is None:
        return DoubleQuotedScalarString(value)
    return value  # plain; ruamel quotes it by itself if it would read back as a number or a bool


def _replace_key(entry: CommentedMap, old: str, new: str, value: object) -> None:
    """Put `new: value` where `old` was, carrying over `old`'s comment."""
    position = list(entry).index(old)
    comment = entry.ca.items.pop(old, None)
    del entry[old]
    entry.insert(position, new, value)
    if comment is not None:
        entry.ca.items[new] = comment


def read_image(text: str, service: str, where: str = "kustomization") -> dict[str, str]:
    """The `images` entry of `service` as plain strings (name, newName, newTag or digest)."""
    _, data = _round_trip(text, where)
    return {str(k): str(v) for k, v in _image_entry(data, service, where).items()}


def image_ref(text: str, service: str, where: str = "kustomization") -> str | None:
    """The digest, else the tag, that `text` deploys for `service` (None if neither is set)."""
    entry = _image_entry(_round_trip(text, where)[1], service, where)
    ref = entry.get(DIGEST_KEY) or entry.get(TAG_KEY)
    return None if ref is None else str(ref)


def set_image_ref(text: str, service: str, ref: str, where: str = "kustomization") -> str:
    """Return `text` with the `images` entry of `service` pointing at `ref` (a tag or a digest).

    Raises BumpError if the file is not a kustomization with exactly one entry for the service, or if the
    edit would change anything but that entry's tag/digest line.
    """
    key = DIGEST_KEY if ref.startswith("sha256:") else TAG_KEY
    other = TAG_KEY if key == DIGEST_KEY else DIGEST_KEY
    yaml, data = _round_trip(text, where)
    entry = _image_entry(data, service, where)
    if entry.get(key) == ref and other not in entry:
        return text
    if key in entry and other in entry:
        raise BumpError(f"{where}: the {service!r} entry has both newTag and digest; keep one of them")
    if key in entry:
        line = entry.lc.key(key)[0]
        entry[key] = _styled(ref, entry[key])
    elif other in entry:
        line = entry.lc.key(other)[0]
        _replace_key(entry, other, key, _styled(ref, entry[other]))
    else:
        position = list(entry).index("newName") + 1 if "newName" in entry else len(entry)
        entry.insert(position, key, _styled(ref, None))
        line = None
    new_text = _dump(yaml, data)
    comment = entry.ca.items.get(key, [None, None, None])[2]
    if line is not None and comment is not None:
        new_text = _keep_comment_gap(yaml, data, comment, text.splitlines()[line], new_text.splitlines()[line])
    _check_one_line(text, new_text, where)
    return new_text


_COMMENTED = re.compile(r"(?P<value>\s*[\w.-]+:\s+\S+)(?P<gap>\s+)#")


def _keep_comment_gap(yaml: YAML, data: CommentedMap, comment: CommentToken, old: str, new: str) -> str:
    """ruamel keeps an end-of-line comment at its column; keep its distance from the value instead."""
    before, after = _COMMENTED.match(old), _COMMENTED.match(new)
    if before and after and before["gap"] != after["gap"]:
        comment.column = len(after["value"]) + len(before["gap"])
    return _dump(yaml, data)


def _check_one_line(old: str, new: str, where: str) -> None:
    """An edit replaces or adds exactly one line; anything else means the round trip went wrong."""
    ops = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines()).get_opcodes()
    changed = [(tag, i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal"]
    if changed not in ([("replace", 1, 1)], [("insert", 0, 1)]):
        raise BumpError(f"{where}: the edit would change more than one line; refusing to touch it")

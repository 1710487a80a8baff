"""Just enough of the Dockerfile and .dockerignore formats to check the images without a Docker daemon."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from registry import ROOT

APPS = ROOT / "apps"  # the build context of every image


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case
    args: str  # the rest of the (joined) line
    line: int  # 1-based line of the instruction

    def flags_and_words(self) -> tuple[dict[str, str], list[str]]:
        """`--from=builder a b` -> ({'from': 'builder'}, ['a', 'b'])."""
        flags: dict[str, str] = {}
        words = shlex.split(self.args)
        while words and words[0].startswith("--"):
            name, _, value = words.pop(0)[2:].partition("=")
            flags[name] = value
        return flags, words


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction | None:
        found = self.all(keyword)
        return found[-1] if found else None

    def copies(self) -> list[tuple[dict[str, str], list[str], str]]:
        """Every COPY as (flags, sources, destination)."""
        result = []
        for instruction in self.all("COPY"):
            flags, words = instruction.flags_and_words()
            result.append((flags, words[:-1], words[-1]))
        return result

    def env(self) -> dict[str, str]:
        """ENV values in order, each `$VAR`/`${VAR}` of an earlier ENV expanded (others left as is)."""
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            words = shlex.split(instruction.args)
            pairs = [w.partition("=") for w in words] if "=" in words[0] else [(words[0], "=", " ".join(words[1:]))]
            for key, _, value in pairs:
                values[key] = re.sub(r"\$\{?(\w+)\}?", lambda m: values.get(m[1], m[0]), value)
        return values

    def workdir(self) -> str:
        path = "/"
        for instruction in self.all("WORKDIR"):
            path = str(PurePosixPath(path) / instruction.args.strip())
        return path

    def cmd(self) -> list[str]:
        instruction = self.last("CMD")
        if instruction is None:
            raise AssertionError("the final stage has no CMD")
        return json.loads(instruction.args)  # exec form only; shell form fails here on purpose


def instructions(text: str) -> list[Instruction]:
    """Instructions with continuation lines joined and comments dropped."""
    result: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        keyword, _, args = " ".join(p for p in pending if p).partition(" ")
        result.append(Instruction(keyword.upper(), args.strip(), start))
        pending = []
    return result


def stages(text: str) -> list[Stage]:
    result: list[Stage] = []
    for instruction in instructions(text):
        if instruction.keyword == "FROM":
            words = instruction.args.split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            result.append(Stage(words[0], name))
        elif result:
            result[-1].instructions.append(instruction)
    return result


def dockerfile(service: str) -> Path:
    return APPS / service / "Dockerfile"


# --- .dockerignore ------------------------------------------------------------------------------


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker's pattern syntax: `*` and `?` stay within one path element, `**` spans any number."""
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out, i = out + "(.*/)?", i + 3
            continue
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.index("]", i)
            out += "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]"
            i = end
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(char)
        i += 1
    return re.compile(out + r"\Z")


@dataclass(frozen=True)
class DockerIgnore:
    patterns: tuple[tuple[bool, re.Pattern[str]], ...]  # (exclusion?, regex), in file order

    @classmethod
    def read(cls, path: Path) -> DockerIgnore:
        patterns = []
        for raw in path.read_text().splitlines() if path.exists() else []:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            cleaned = str(PurePosixPath(line.lstrip("!").strip().lstrip("/")))
            patterns.append((keep, _pattern_regex(cleaned)))
        return cls(tuple(patterns))

    def sent(self, relative: str) -> bool:
        """Whether the file at `relative` (to the context) reaches the builder: the last match decides."""
        parts = PurePosixPath(relative).parts
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        sent = True
        for keep, regex in self.patterns:
            if any(regex.match(candidate) for candidate in candidates):
                sent = keep
        return sent


def context_files(source: str, ignore: DockerIgnore) -> dict[str, Path]:
    """The files a `COPY <source> ...` takes from the context, by path relative to `source`'s folder."""
    path = APPS / source
    if path.is_file():
        relative = path.relative_to(APPS).as_posix()
        return {path.name: path} if ignore.sent(relative) else {}
    files = {}
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        if ignore.sent(file.relative_to(APPS).as_posix()):
            files[file.relative_to(path).as_posix()] = file
    return files

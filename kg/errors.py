"""Problems found in input, each at its file and line."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, at a file and line where there is one."""

    file: str
    line: int
    level: str
    message: str
    check: str = ""
    column: int = 0  # where a parser gives one (1 = the line's first character)

    def __str__(self) -> str:
        at = f"{self.line}:{self.column}" if self.column else f"{self.line}"
        where = f"{self.file}:{at}: " if self.line else (f"{self.file}: " if self.file else "")
        check = f" ({self.check})" if self.check else ""
        return f"{where}{self.level.upper()}: {self.message}{check}"

    def as_dict(self) -> dict:
        return asdict(self)


class KgError(Exception):
    """A failure to report as one line, without a traceback (exit status 2 unless told)."""

    exit_code = 2


class LocatedError(KgError):
    """One problem in an input file, printed as `FILE:LINE:COL: ERROR: message` (exit status 1)."""

    exit_code = 1

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(str(problem))


class InputError(KgError):
    """Input that cannot be used; carries the problems found (exit status 1)."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.message))
        super().__init__(str(self.problems[0]) if self.problems else "invalid input")


@dataclass
class Problems:
    """A growing list of problems."""

    items: list[Problem] = field(default_factory=list)

    def add(self, file: str, line: int, level: str, message: str, check: str = "") -> None:
        self.items.append(Problem(file, line, level, message, check))

    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.level == "error"]

    def raise_if_errors(self) -> None:
        if self.errors():
            raise InputError(self.errors())

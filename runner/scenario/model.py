"""The scenario format, version 1, as strict frozen models.

Answer specs stay plain mappings here: each checker validates its own
parameters (see :mod:`runner.scenario.compile`), so a third-party checker
needs no change to this module.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from runner.scenario.i18n import pick_text

LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
LocalText = str | dict[LangCode, str]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
EvidenceName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]

SCHEMA_VERSION = 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hint(Strict):
    text: LocalText = Field(description="The hint shown to the trainee.")
    cost: float = Field(0, ge=0, description="Points taken off the task when the hint is taken.")


class FileRef(Strict):
    file: str = Field(description="Path relative to the scenario file.")


class Task(Strict):
    id: Ident = Field(description="Unique id, typed by trainees: 'lab answer ID ...'.")
    question: LocalText
    points: float = Field(10, ge=0)
    answer: dict[str, Any] = Field(
        description="Answer spec: {type: CHECKER, expected: ..., ...checker parameters}."
    )
    hints: list[Hint] = Field(default_factory=list)
    max_attempts: int | None = Field(None, ge=1, description="Default: unlimited.")
    requires: list[Ident] = Field(default_factory=list, description="Tasks to solve first.")
    solution: FileRef | str | int | float | list[str | int | float] | None = Field(
        None, description="Reference answer used by 'dflab verify' and the self-tests."
    )
    explanation: LocalText | None = None
    notes: LocalText | None = Field(None, description="For trainers only (the handbook): "
                                    "how to teach the task, common mistakes.")


class Evidence(Strict):
    file: str | None = Field(None, description="Path of a shipped evidence file, relative to "
                             "the scenario file.")
    generate: str | dict[str, Any] | None = Field(
        None, description="Instead of 'file': a story file (relative to the scenario) or an "
        "inline story; each trainee gets a variant generated from it (docs/stories.md).")
    output: Ident | None = Field(None, description="Which output of the story this file is "
                                 "(needed when the story has several).")
    seed: Literal["seat", "fixed"] = Field(
        "seat", description="'seat': a variant per trainee or seat; 'fixed': one for everybody.")
    name: EvidenceName | None = Field(None, description="Name inside /evidence in the lab.")
    sha256: Sha256 | None = Field(None, description="SHA-256 of a shipped file; checked at "
                                  "start and stop (generated files are hashed per variant).")
    description: LocalText | None = None

    @model_validator(mode="after")
    def _file_or_generate(self) -> Evidence:
        if (self.file is None) == (self.generate is None):
            raise ValueError("give exactly one of 'file' (a shipped file) or 'generate' (a story)")
        if self.file is not None and self.sha256 is None:
            raise ValueError("'sha256' is required for a shipped file (sha256sum FILE)")
        if self.generate is not None and self.sha256 is not None:
            raise ValueError("a generated file has no fixed 'sha256': each variant is hashed "
                             "when it is made; remove 'sha256'")
        if self.file is not None and self.output is not None:
            raise ValueError("'output' names a story output: use it with 'generate'")
        return self


class Scenario(Strict):
    schema_version: Literal[1]
    id: Ident
    title: LocalText
    description: LocalText = ""
    difficulty: Literal["beginner", "intermediate", "advanced"] = "beginner"
    estimated_minutes: int = Field(30, ge=1, le=10000)
    tags: list[str] = Field(default_factory=list, description="Block tags (docs/courses.md) "
                            "and free keywords.")
    objectives: list[LocalText] = Field(default_factory=list,
                                        description="What trainees learn (the handbook).")
    notes: LocalText | None = Field(None, description="For trainers only (the handbook).")
    authors: list[str] = Field(default_factory=list)
    lab: Ident = Field("network", description="Lab profile in labs/ (image, tools, limits).")
    evidence: list[Evidence] = Field(default_factory=list)
    tasks: list[Task] = Field(min_length=1)


class ProfileLimits(Strict):
    memory_mb: int = Field(512, ge=32)
    cpus: float = Field(1.0, gt=0)
    pids: int = Field(256, ge=16)
    work_mb: int = Field(1024, ge=1)
    artifact_mb: int = Field(64, ge=1)


class LabProfile(Strict):
    schema_version: Literal[1]
    id: Ident
    description: LocalText = ""
    image: str
    tools: list[str] = Field(default_factory=list)
    limits: ProfileLimits = Field(default_factory=ProfileLimits)


__all__ = ["pick_text"]  # re-exported: text helpers live in runner.scenario.i18n

"""The services' true/false settings (service_core/config.py): `true`, `false` or unset, anything else refused."""

from __future__ import annotations

import pytest

from service_core.config import ConfigError, Settings

SWITCHES = [("RESET_ENABLED", "reset_enabled"), ("VALIDATE_RESPONSES", "validate_responses")]
ENVIRON = {"DATABASE_URI": "postgresql://u:p@db/x"}


@pytest.mark.parametrize(("variable", "field"), SWITCHES)
@pytest.mark.parametrize(("value", "on"), [(None, False), ("false", False), ("true", True)])
def test_a_switch_reads_true_false_or_unset(variable: str, field: str, value: str | None, on: bool) -> None:
    environ = ENVIRON | ({} if value is None else {variable: value})
    assert getattr(Settings.from_env("posts", environ), field) is on


@pytest.mark.parametrize("variable", [variable for variable, _ in SWITCHES])
@pytest.mark.parametrize("value", ["yes", "True", "1", "", "true "])
def test_any_other_value_is_a_one_sentence_error(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env("posts", ENVIRON | {variable: value})
    assert str(error.value) == f"{variable} must be `true` or `false`, not {value!r}."

"""CAPTIONER_COMPUTE_TYPE chooses how the on-device engine computes, without code changes.

int8 kernels differ between CPUs, so the same audio can give slightly different words on
different machines; float32 gives the reference result everywhere. See models.compute_type.
"""

from __future__ import annotations

import pytest

from captioner.events import RecognitionError
from captioner.recognition.local import models
from captioner.recognition.local.models import (
    COMPUTE_TYPE_VARIABLE,
    ComputeTypeError,
    compute_type,
    load_model,
    resolve_model_dir,
)


def test_unset_or_empty_means_int8(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(COMPUTE_TYPE_VARIABLE, raising=False)
    assert compute_type() == "int8"
    monkeypatch.setenv(COMPUTE_TYPE_VARIABLE, "  ")
    assert compute_type() == "int8"


@pytest.mark.parametrize("value", ["int8", "float32", "int8_float32", " Float32 "])
def test_allowed_values_are_taken(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(COMPUTE_TYPE_VARIABLE, value)
    assert compute_type() == value.strip().lower()


@pytest.mark.parametrize("value", ["fp32", "float16", "int4", "int8 float32"])
def test_an_invalid_value_is_a_typed_error_naming_the_variable_and_the_choices(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(COMPUTE_TYPE_VARIABLE, value)
    with pytest.raises(ComputeTypeError) as caught:
        compute_type()
    message = str(caught.value)
    assert COMPUTE_TYPE_VARIABLE in message and repr(value) in message
    assert all(t in message for t in ("int8", "float32", "int8_float32"))
    assert isinstance(caught.value, RecognitionError) and isinstance(caught.value, ValueError)
    assert caught.value.code == "InvalidParameter" and not caught.value.retryable


def test_load_model_refuses_an_invalid_value_before_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(COMPUTE_TYPE_VARIABLE, "fp32")
    monkeypatch.setattr(models, "WhisperModel", lambda *a, **k: pytest.fail("must not load"))
    with pytest.raises(ComputeTypeError, match=COMPUTE_TYPE_VARIABLE):
        load_model(resolve_model_dir())


@pytest.mark.slow
def test_each_compute_type_loads_its_own_model_once(monkeypatch: pytest.MonkeyPatch) -> None:
    path = resolve_model_dir()
    monkeypatch.setenv(COMPUTE_TYPE_VARIABLE, "float32")
    as_float = load_model(path)
    assert load_model(path) is as_float
    assert as_float.compute_type == "float32"
    monkeypatch.setenv(COMPUTE_TYPE_VARIABLE, "int8")
    as_int8 = load_model(path)
    assert as_int8 is not as_float
    assert as_int8.compute_type.startswith("int8")  # on the CPU CTranslate2 runs int8 as int8_float32

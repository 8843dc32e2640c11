"""Addresses: parse, match, expand (no Terraform)."""

from __future__ import annotations

import pytest

import tfstage


def test_parse() -> None:
    parsed = tfstage.parse_address('module.kafka["a"].aws_msk_cluster.this[0]')
    assert parsed["schema_version"] == 1
    assert parsed["type"] == "aws_msk_cluster"
    assert parsed["name"] == "this"
    assert parsed["mode"] == "managed"
    assert parsed["module_path"][0]["name"] == "kafka"
    assert parsed["is_module"] is False
    assert parsed["address"] == 'module.kafka["a"].aws_msk_cluster.this[0]'


def test_parse_error_names_the_column() -> None:
    with pytest.raises(tfstage.ParseError) as info:
        tfstage.parse_address("module..x")
    assert info.value.code == tfstage.Status.EPARSE
    assert info.value.message
    assert "column" in info.value.message.lower() or any(c.isdigit() for c in info.value.message)


def test_match() -> None:
    assert tfstage.match_address("module.vpc", "module.vpc.aws_vpc.this")
    assert not tfstage.match_address("module.db", "module.vpc.aws_vpc.this")
    assert tfstage.match_address("module.*.aws_vpc.this", "module.vpc.aws_vpc.this")


def test_expand() -> None:
    known = ["aws_instance.a", "aws_instance.b", "module.m.aws_instance.c", "aws_s3_bucket.logs"]
    expanded = tfstage.expand_address("aws_instance", known)
    assert "aws_instance.a" in expanded and "aws_instance.b" in expanded
    assert "aws_s3_bucket.logs" not in expanded
    assert tfstage.expand_address("aws_s3_bucket.logs", known) == ["aws_s3_bucket.logs"]


def test_bad_input_is_refused_in_python() -> None:
    with pytest.raises(TypeError):
        tfstage.parse_address(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.match_address("a", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.expand_address("aws_instance", "aws_instance.a")
    with pytest.raises(TypeError):
        tfstage.expand_address("aws_instance", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tfstage.expand_address("aws_instance", [1, 2])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        tfstage.parse_address("aws_instance.a\0b")

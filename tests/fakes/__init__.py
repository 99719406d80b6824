"""Fakes of hardware and services with real behaviour and no devices (CONVENTIONS.md, 11)."""

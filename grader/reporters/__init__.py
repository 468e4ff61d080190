"""Reporters: one small module per output format, each seeing only finished reports."""

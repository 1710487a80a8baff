"""Helpers shared by test areas (not fixtures: those stay in conftest files)."""

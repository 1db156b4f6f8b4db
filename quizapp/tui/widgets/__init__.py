"""Widgets of the study app: prompt and maths, answer fields, graphs, plots, progress, solutions."""

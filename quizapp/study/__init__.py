"""The study layer: quizzes, exams, review and "check my work" as plain logic, with no UI.

The app's screens and the command line both call it; it alone writes answers to the progress
store (through :func:`quizapp.study.record.record`). Layers: ``commands``, ``tui`` → ``study`` →
``grading``, ``progress``, ``export`` → ``question_bank`` → ``solvers``.
"""

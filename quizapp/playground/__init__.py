"""The training playground: data sets on the plane, a small network learning them, its decision
boundary as characters, and questions answered by training.

Pure NumPy (plus Rich in ``render``); no Textual here, so a screen, the command line and the
tests all drive the same :class:`~quizapp.playground.session.PlaygroundSession`.
"""

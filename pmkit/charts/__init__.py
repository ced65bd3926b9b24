"""Altair charts, one module per topic (``schedule``, ``evm``, ``risk``, ``portfolio``, ...).

Every chart function takes the tidy DataFrame an analysis function returned (or the
object it analyses) and returns an ``altair.Chart``; nothing is computed here that an
analysis function should compute. Colours shared by all charts are in :mod:`._theme`.
"""

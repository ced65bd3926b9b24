"""The shared data layer both lenses read: one portfolio's tables, checked and typed.

Rooms:

- :mod:`.schema`: every table and column of the data format (the single source of truth);
- :mod:`.validation`: parsing of text cells, normalization, cross-table checks;
- :mod:`.model`: frozen ``Portfolio``, ``Program`` and ``Project`` classes over DataFrames;
- :mod:`.calendars`: working calendars (``Calendar``) and holidays;
- :mod:`.io`: ``load`` and ``save`` of CSV folders and Excel workbooks;
- :mod:`.network`: vectorized graph helpers (topological levels, ranges);
- :mod:`.synth`: synthetic projects and portfolios of any size from a seed;
- :mod:`.samples`: the path of the bundled sample portfolio.

Foreign schedule formats (MS Project, Primavera, PSPLIB) are read in :mod:`pmkit.interop`.
"""

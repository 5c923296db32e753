"""How much an explanation may ship to the browser: the caps every table here respects.

A chart should never carry more than about :data:`MAX_MARKS` marks; the other caps size the
samples and grids that keep each view under it (and keep slow models responsive).
"""

MAX_MARKS = 5_000
BOUNDARY_RESOLUTION = 60
BOUNDARY_POINTS = 600
BOUNDARY_SUPPORT = 400
CURVE_POINTS = 200
SCATTER_POINTS = 2_000
ROC_POINTS = 1_000
PERMUTATION_ROWS = 2_000
KERNEL_PERMUTATION_ROWS = 500
DEPENDENCE_ROWS = 1_000
PATH_ROWS = 5_000
PATH_FEATURES = 15
RULES_CHARS = 20_000

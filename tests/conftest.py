"""Settings for every test.

Hypothesis checks time by default: an example slower than 200 ms fails (``deadline``) and slow
data generation fails a health check (``too_slow``). Both are wall-clock limits, which fail at
random on a loaded 2-core CI machine; no test here asserts a duration (speed is measured in
benchmarks/, work is bounded by counting, see tests/budget.py).
"""

from hypothesis import HealthCheck, settings

settings.register_profile("no-wall-clock", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("no-wall-clock")

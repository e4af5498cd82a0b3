"""Plots. Matplotlib is imported lazily inside each function and the caller's backend is
respected (headless machines fall back to Agg; the command line selects Agg explicitly)."""

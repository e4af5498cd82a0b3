"""Plots. Matplotlib is imported lazily, with the Agg backend unless one is already chosen."""

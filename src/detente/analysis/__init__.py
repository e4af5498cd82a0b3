"""Analyses on scenarios: the bargaining set (win-sets, zone of agreement, gap), the impasse
diagnosis, counterfactual levers and the source essay's claims."""

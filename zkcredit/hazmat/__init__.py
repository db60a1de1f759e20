"""Hazardous materials: curve arithmetic, Poseidon, and the pure-Python reference.

Nothing here checks policy; use the recipes unless you know why you need these.
"""

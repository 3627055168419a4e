"""Results: aggregates computed in the database, with disclosure control that cannot be skipped.

Nothing here returns a record; every figure that leaves this package has passed `disclosure`.
"""

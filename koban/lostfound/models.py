"""Found items, loss reports, matching and the statutory clocks."""

"""Walk-in and phone matters handled at the box counter."""

"""A stand-in app with a demo step, for testing the step runner."""

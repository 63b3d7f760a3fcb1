"""A stand-in app whose demo step fails to import a module of its own."""

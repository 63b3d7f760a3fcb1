"""Small domain-free helpers: environment parsing, geometry helpers, the local database."""

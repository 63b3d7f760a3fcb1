"""Crime-prevention partners: organizations, their contacts, areas, meetings and agreements."""

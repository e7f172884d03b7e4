"""Django forms of the web app: validation with messages next to each field, in the user's language."""

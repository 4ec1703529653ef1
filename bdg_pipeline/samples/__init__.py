"""Sample returns bundled with the project (made by code, written as real .xlsx files)."""

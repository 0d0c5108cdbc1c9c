"""HTTP routes: pages for people and the JSON API."""

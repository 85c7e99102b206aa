"""The performance benchmark: seeded bench data (``data``) and the runner behind
``make bench`` (``runner``). Nothing here is imported by the app itself."""

"""The performance benchmark, a tool beside the app: seeded bench data
(``data``), the steps that run inside Django on a bench database (``steps``) and
the runner behind ``make bench`` (``runner``). ``python -m bench --help`` lists
its commands. Nothing in the app imports it."""

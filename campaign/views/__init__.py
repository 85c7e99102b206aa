"""The staff pages, by responsibility: the dashboard and campaign pages, asks,
evidence, the leads' pages, digests, and the feeds and downloads. Every view
checks access through ``campaign.selectors`` (a 404 for what the user may not
see) and writes through ``campaign.services``; ``campaign/urls.py`` lists them all."""

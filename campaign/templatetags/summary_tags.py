"""The campaign page's progress chart, drawn from the stored weekly summaries."""

from django import template

from campaign.summaries import summary_chart_data

register = template.Library()


@register.simple_tag
def summary_chart(campaign):
    """``{% summary_chart campaign as chart %}``: one query, the last 26 summaries."""
    return summary_chart_data(campaign)

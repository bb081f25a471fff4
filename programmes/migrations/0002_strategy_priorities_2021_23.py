"""The strategy's priorities for 2021-23 (strategy.md, "Our Priorities in 2021-23")."""

from django.db import migrations

PRIORITIES = [
    (
        "1.1",
        "Visible leadership",
        "Strengthen and share decision-making and governance",
        "AHSN Network groups embed inclusive involvement and co-production in their ways of working. "
        "Involvement and co-production activities are expected in all AHSN programmes: spread and adoption "
        "programmes, innovations from needs articulation to implementation, and Patient Safety Collaboratives.",
    ),
    (
        "1.2",
        "Visible leadership",
        "Involvement and co-production forum",
        "A forum formed from the existing PPI Forum membership, keeping lay partner membership and the "
        "co-chair model, for strategy, information exchange, operational issues and planning.",
    ),
    (
        "1.3",
        "Visible leadership",
        "Head of involvement and co-production",
        "A head of involvement and co-production who shares insights across the AHSN Network, develops "
        "partnerships with the community and voluntary sector and plans how the strategy is delivered and monitored.",
    ),
    (
        "2.1",
        "Diverse perspectives",
        "Partnerships with groups who represent marginalised voices",
        "Form effective partnerships with groups and individuals who represent marginalised voices.",
    ),
    (
        "2.2",
        "Diverse perspectives",
        "Equality, diversity and inclusion",
        "Link closely with and contribute to the equality, diversity and inclusion agenda.",
    ),
    (
        "2.3",
        "Diverse perspectives",
        "Involving people with the greatest health and social need",
        "Consider ways to involve people and those with the greatest health and social need.",
    ),
    (
        "3.1",
        "Continuous improvement",
        "Opportunities for learning and sharing",
        "Develop a national Community of Practice, and share emerging practice and adopt it across the AHSN Network.",
    ),
    (
        "3.2",
        "Continuous improvement",
        "Development opportunities",
        "Deliver involvement and co-production development opportunities for AHSN colleagues, patients, "
        "carers and families who are involved.",
    ),
    (
        "3.3",
        "Continuous improvement",
        "Closer to national stakeholders",
        "Support people to join relevant national networks and groups, and share insights gathered on a regular basis.",
    ),
    (
        "4.1",
        "Evidence of change",
        "Evaluating quality and impact",
        "Understand and share how we evaluate the quality and impact of involvement and co-production "
        "activities, including evidence of change.",
    ),
    (
        "4.2",
        "Evidence of change",
        "Communicating outcomes",
        "Communicate involvement and co-production outcomes and share case studies across the AHSN Network.",
    ),
]


def add_priorities(apps, schema_editor):
    StrategyPriority = apps.get_model("programmes", "StrategyPriority")
    for order, (code, theme, title, description) in enumerate(PRIORITIES, start=1):
        StrategyPriority.objects.update_or_create(
            strategy="2021-23",
            code=code,
            defaults={"theme": theme, "title": title, "description": description, "order": order, "active": True},
        )


def remove_priorities(apps, schema_editor):
    StrategyPriority = apps.get_model("programmes", "StrategyPriority")
    StrategyPriority.objects.filter(strategy="2021-23", code__in=[p[0] for p in PRIORITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(add_priorities, remove_priorities)]

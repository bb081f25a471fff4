"""The fifteen AHSNs and the AHSN Network itself."""

from django.db import migrations

ORGANISATIONS = [
    # (name, short name, region, kind)
    ("The AHSN Network", "Network", "England", "network"),
    ("East Midlands AHSN", "EMAHSN", "East Midlands", "ahsn"),
    ("Eastern AHSN", "Eastern", "East of England", "ahsn"),
    ("Health Innovation Manchester", "HInM", "Greater Manchester", "ahsn"),
    ("Health Innovation Network South London", "HIN South London", "South London", "ahsn"),
    ("Imperial College Health Partners", "ICHP", "North West London", "ahsn"),
    ("Innovation Agency", "Innovation Agency", "North West Coast", "ahsn"),
    ("Kent Surrey Sussex AHSN", "KSS AHSN", "Kent, Surrey and Sussex", "ahsn"),
    ("North East and North Cumbria AHSN", "NENC AHSN", "North East and North Cumbria", "ahsn"),
    ("Oxford AHSN", "Oxford AHSN", "Thames Valley and Oxfordshire", "ahsn"),
    ("South West AHSN", "SW AHSN", "South West Peninsula", "ahsn"),
    ("UCLPartners", "UCLPartners", "North Central and North East London, Essex and Hertfordshire", "ahsn"),
    ("Wessex AHSN", "Wessex", "Wessex", "ahsn"),
    ("West Midlands AHSN", "WMAHSN", "West Midlands", "ahsn"),
    ("West of England AHSN", "WEAHSN", "West of England", "ahsn"),
    ("Yorkshire & Humber AHSN", "Y&H AHSN", "Yorkshire and the Humber", "ahsn"),
]


def create(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    for name, short_name, region, kind in ORGANISATIONS:
        Organisation.objects.update_or_create(
            short_name=short_name, defaults={"name": name, "region": region, "kind": kind}
        )


def remove(apps, schema_editor):
    Organisation = apps.get_model("accounts", "Organisation")
    Organisation.objects.filter(short_name__in=[o[1] for o in ORGANISATIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

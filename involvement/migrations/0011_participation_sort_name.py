"""Each participation keeps its partner's full name (`Participation.partner_sort_name`), by triggers.

A row trigger fills it whenever a participation is written with its partner (insert, COPY, save());
another copies a partner's new full name to their participations (a change of name, forgetting a
partner). The staff activity page then reads a page of people in name order from the
`participation_by_name` index instead of sorting the activity's people after a join to every partner."""

from django.db import migrations, models

TRIGGERS = """
CREATE FUNCTION involvement_participation_sort_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.partner_sort_name := COALESCE((SELECT full_name FROM partners_laypartner WHERE id = NEW.partner_id), '');
    RETURN NEW;
END $$;

CREATE TRIGGER involvement_participation_sort_name
    BEFORE INSERT OR UPDATE OF partner_id, partner_sort_name ON involvement_participation
    FOR EACH ROW EXECUTE FUNCTION involvement_participation_sort_name();

CREATE FUNCTION involvement_partner_sort_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE involvement_participation SET partner_sort_name = NEW.full_name
    WHERE partner_id = NEW.id AND partner_sort_name IS DISTINCT FROM NEW.full_name;
    RETURN NULL;
END $$;

CREATE TRIGGER partners_laypartner_sort_name
    AFTER UPDATE OF full_name ON partners_laypartner
    FOR EACH ROW WHEN (NEW.full_name IS DISTINCT FROM OLD.full_name)
    EXECUTE FUNCTION involvement_partner_sort_name();
"""

DROP = """
DROP TRIGGER IF EXISTS partners_laypartner_sort_name ON partners_laypartner;
DROP FUNCTION IF EXISTS involvement_partner_sort_name();
DROP TRIGGER IF EXISTS involvement_participation_sort_name ON involvement_participation;
DROP FUNCTION IF EXISTS involvement_participation_sort_name();
"""

BACKFILL = """
UPDATE involvement_participation p SET partner_sort_name = l.full_name
FROM partners_laypartner l WHERE l.id = p.partner_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("involvement", "0010_updated_index"),
        ("partners", "0003_application_opportunity"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="partner_sort_name",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="participation",
            index=models.Index(fields=["activity", "partner_sort_name", "id"], name="participation_by_name"),
        ),
        migrations.RunSQL(TRIGGERS, DROP),
    ]

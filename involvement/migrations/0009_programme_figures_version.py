"""The version of each programme's page figures, kept by triggers (see ProgrammeFiguresVersion).

Statement-level triggers with transition tables: one UPDATE of a thousand participations adds
one to each programme it touched, once."""

from django.db import migrations, models

BUMP = """
CREATE FUNCTION involvement_bump_programme_figures(programme_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO involvement_programmefiguresversion (programme_id, version)
    SELECT DISTINCT id, 1 FROM unnest(programme_ids) AS id WHERE id IS NOT NULL ORDER BY 1
    ON CONFLICT (programme_id) DO UPDATE SET version = involvement_programmefiguresversion.version + 1;
$$;

-- A partner's name shows in the most involved list and beside feedback: a new name, or forgetting
-- them, changes the figures of every programme they took part in.
CREATE FUNCTION involvement_partner_figures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM involvement_bump_programme_figures(ARRAY(
        SELECT a.programme_id FROM new_rows n
        JOIN old_rows o ON o.id = n.id
        JOIN involvement_participation p ON p.partner_id = n.id
        JOIN involvement_activity a ON a.id = p.activity_id
        WHERE (n.full_name, n.preferred_name, n.anonymised) IS DISTINCT FROM (o.full_name, o.preferred_name, o.anonymised)));
    RETURN NULL;
END $$;
"""

# For each table, the programmes its rows count towards, as a SELECT over the statement's rows.
PROGRAMMES_OF = {
    "involvement_activity": "SELECT programme_id FROM {rows}",
    "involvement_participation": (
        "SELECT a.programme_id FROM {rows} r JOIN involvement_activity a ON a.id = r.activity_id"
    ),
    "involvement_feedback": (
        "SELECT a.programme_id FROM {rows} r JOIN involvement_participation p ON p.id = r.participation_id "
        "JOIN involvement_activity a ON a.id = p.activity_id"
    ),
    "involvement_outcome": (
        "SELECT programme_id FROM {rows} "
        "UNION SELECT a.programme_id FROM {rows} r JOIN involvement_activity a ON a.id = r.activity_id"
    ),
}
TABLES = [(table, f"{table}_figures") for table in PROGRAMMES_OF]


def _function(table: str, function: str) -> str:
    """The trigger function for `table`: the programmes of the rows inserted, changed or deleted."""
    select = PROGRAMMES_OF[table]
    return f"""
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM involvement_bump_programme_figures(ARRAY({select.format(rows="new_rows")}));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM involvement_bump_programme_figures(ARRAY({select.format(rows="old_rows")}));
    END IF;
    RETURN NULL;
END $$;
"""


REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}


def _triggers() -> str:
    statements = [_function(table, function) for table, function in TABLES]
    statements += [
        f"CREATE TRIGGER {table}_figures_{event.lower()} AFTER {event} ON {table} REFERENCING {referencing} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for table, function in TABLES
        for event, referencing in REFERENCING.items()
    ]
    statements.append(
        "CREATE TRIGGER partners_laypartner_figures_update AFTER UPDATE ON partners_laypartner "
        f"REFERENCING {REFERENCING['UPDATE']} FOR EACH STATEMENT EXECUTE FUNCTION involvement_partner_figures();"
    )
    return "\n".join(statements)


def _drop() -> str:
    statements = [
        f"DROP TRIGGER IF EXISTS {table}_figures_{event.lower()} ON {table};"
        for table, _function in TABLES
        for event in REFERENCING
    ]
    statements.append("DROP TRIGGER IF EXISTS partners_laypartner_figures_update ON partners_laypartner;")
    statements.extend(
        f"DROP FUNCTION IF EXISTS {function}();"
        for function in [*(f for _t, f in TABLES), "involvement_partner_figures"]
    )
    statements.append("DROP FUNCTION IF EXISTS involvement_bump_programme_figures(bigint[]);")
    return "\n".join(statements)


class Migration(migrations.Migration):
    dependencies = [
        ("involvement", "0008_merge_20261203_0811"),
        ("partners", "0003_application_opportunity"),
    ]

    operations = [
        migrations.CreateModel(
            name="ProgrammeFiguresVersion",
            fields=[
                ("programme_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunSQL(BUMP + _triggers(), _drop()),
    ]

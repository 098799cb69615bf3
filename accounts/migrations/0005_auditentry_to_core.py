# Layers (issue 8): AuditEntry now belongs to the tenant core (establishments/migrations/0004_layers.py). State
# only: the table accounts_auditentry and its rows stay. The content type follows the model, so permissions and
# the platform console's history keep pointing at it.

from django.db import migrations


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old, new, model in [("accounts", "establishments", "auditentry"),
                            ("establishments", "pedagogy", "scenariofieldlabel")]:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for old, new, model in [("accounts", "establishments", "auditentry"),
                            ("establishments", "pedagogy", "scenariofieldlabel")]:
        if not ContentType.objects.using(db).filter(app_label=old, model=model).exists():
            ContentType.objects.using(db).filter(app_label=new, model=model).update(app_label=old)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_enrolments'),
        ('establishments', '0004_layers'),
        ('pedagogy', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AuditEntry')],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]

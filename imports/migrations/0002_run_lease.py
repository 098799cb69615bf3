from django.db import migrations, models


class Migration(migrations.Migration):
    """Lease of an import's work: a run "en cours" whose heartbeat is too old lost its worker."""

    dependencies = [
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="importrun",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="dernier signe de vie"),
        ),
    ]

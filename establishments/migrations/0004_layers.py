# Layers (issue 8): the audit log's storage enters the tenant core, the scenario form mask leaves for pedagogy.
# State only: both tables stay where they are, with their rows (accounts_auditentry,
# establishments_scenariofieldlabel).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('establishments', '0003_schoolyear'),
        ('accounts', '0004_enrolments'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='date')),
                        ('actor_name', models.CharField(max_length=300, verbose_name='auteur')),
                        ('action', models.CharField(max_length=60, verbose_name='action')),
                        ('target', models.CharField(blank=True, max_length=300, verbose_name='objet')),
                        ('details', models.JSONField(blank=True, default=dict, verbose_name='détails')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='auteur')),
                        ('establishment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='establishments.establishment', verbose_name='établissement')),
                    ],
                    options={
                        'db_table': 'accounts_auditentry',
                        'verbose_name': 'entrée du journal',
                        'verbose_name_plural': 'journal des actions',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['establishment', '-created_at'], name='audit_establishment_date')],
                    },
                ),
                migrations.DeleteModel(name='ScenarioFieldLabel'),
            ],
            database_operations=[],
        ),
    ]

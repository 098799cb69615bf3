# Layers (issue 8): the scenario form mask moves from the tenant core to pedagogy. State only: the table
# establishments_scenariofieldlabel and its rows stay.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('establishments', '0004_layers'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ScenarioFieldLabel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('diploma_code', models.CharField(max_length=40, verbose_name='diplôme')),
                        ('field', models.CharField(choices=[('title', 'Titre'), ('context', 'Contexte'), ('referential_link', 'Liaison avec le référentiel'), ('transversal_link', 'Liaison avec les compétences transversales'), ('resources', 'Ressources')], max_length=30, verbose_name='champ')),
                        ('label', models.CharField(max_length=120, verbose_name='intitulé')),
                        ('establishment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='establishments.establishment', verbose_name='établissement')),
                    ],
                    options={
                        'db_table': 'establishments_scenariofieldlabel',
                        'verbose_name': 'intitulé du masque de saisie',
                        'verbose_name_plural': 'intitulés du masque de saisie',
                        'ordering': ['diploma_code', 'field'],
                        'constraints': [models.UniqueConstraint(fields=('establishment', 'diploma_code', 'field'), name='scenario_field_label_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]

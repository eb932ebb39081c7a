"""One person, one voice (server_stub/core/identity.py): ``name_key`` becomes unique per item too.

Rows made before keep their old ``person_key`` as their ``name_key`` (unique already; their names were
keyed without a date of birth, so they cannot take part in the new matching)."""

from django.conf import settings
from django.db import migrations, models


def keep_old_rows_unique(apps, schema_editor):
    model = apps.get_model("petitions", "Signature")
    model.objects.update(name_key=models.F("person_key"))


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_resident_identity'),
        ('petitions', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(keep_old_rows_unique, migrations.RunPython.noop),
        migrations.AddField(
            model_name='signature',
            name='place',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddConstraint(
            model_name='signature',
            constraint=models.UniqueConstraint(fields=('petition', 'name_key'), name='one_signature_per_name_key'),
        ),
    ]
